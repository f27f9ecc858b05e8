/**
 * The origin every contender talks to: one server for plain HTTP and HTTPS,
 * answering every `<label>.<suffix>` name on loopback with a small body and
 * two Set-Cookie fields (see nginx-config.ts for the exact response).
 */
export interface Origin {
  /** The names it serves are `<label>.${suffix}`; every one resolves to 127.0.0.1. */
  readonly suffix: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** The CA that signed its certificate, as PEM and as a file (for proxies that take a path). */
  readonly caPem: string;
  readonly caFile: string;
  /** The process serving it, for its CPU time; null when it runs inside the bench itself (the smoke test). */
  readonly pid: number | null;
  close(): Promise<void>;
}

/** A host name of the origin: `label` must be one DNS label, as its wildcard certificate covers one. */
export function originHost(origin: Origin, label: string): string {
  return `${label}.${origin.suffix}`;
}
