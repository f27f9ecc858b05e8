/**
 * The thread boundary, in one file. Everything here is plain data that survives
 * `postMessage` (structured clone): no classes, no functions, errors as
 * `{ code, message }`.
 *
 *   supervisor ──(piscina task: ServeTask, three transferred ports)──▶ connection worker
 *     control port : comlink, supervisor → worker   (ConnectionWorkerControl)
 *     cert port    : comlink, worker → supervisor   (CertService)
 *     events port  : plain EventsMessage messages, worker → supervisor
 *
 *   supervisor ──(piscina task: MintTask)──▶ mint worker ──▶ MintedLeaf
 */
import type { MessagePort } from 'node:worker_threads';
import type { CookieEvent } from '../cookie-event.ts';
import type { DomainRule } from '../domains/domain-rule.ts';
import type { SerializedError } from '../errors.ts';
import type { MintedLeaf } from '../tls/mint-leaf.ts';

export type { CookieEvent, DomainRule, MintedLeaf, SerializedError };

/** A host → address override, like curl's `--resolve`: `*.test` covers every name under `test`. */
export interface ResolveRule {
  readonly pattern: string;
  readonly address: string;
}

/** What a connection worker needs to serve, sent once as its piscina task. */
export interface ServeTask {
  readonly kind: 'serve';
  /** 0-based index among connection workers; stable across a replacement. */
  readonly index: number;
  readonly settings: ProxySettings;
  readonly domains: readonly DomainRule[];
  readonly syncing: boolean;
  readonly controlPort: MessagePort;
  readonly certPort: MessagePort;
  readonly eventsPort: MessagePort;
}

export interface ProxySettings {
  /** The CA certificate in PEM, served at http://jarsync.cert/ and sent as the chain's last link. */
  readonly caCertPem: string;
  /** The process-wide leaf private key (PKCS#8 PEM) shared by every minted certificate. */
  readonly leafKeyPem: string;
  /** Extra PEM roots for verifying upstream servers, on top of Node's defaults. */
  readonly upstreamCaPems: readonly string[];
  /** When true, upstream TLS certificates are not verified. */
  readonly insecureUpstream: boolean;
  readonly resolve: readonly ResolveRule[];
  readonly upstreamConnectTimeoutMs: number;
  readonly upstreamResponseTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** Ports a proxied request must never reach on this machine (the admin API's); the worker adds its own. */
  readonly protectedPorts: readonly number[];
  /** Most events held before a batch is posted; a batch also goes at the end of each tick. */
  readonly eventBatchSize: number;
  /**
   * The jar's back-pressure flag, shared by the supervisor with every worker:
   * one Int32 at index 0, nonzero while the jar's backlog is over its
   * high-water mark. While it is, a new request to a synced origin waits
   * (up to `upstreamResponseTimeoutMs`, then 503 JARSYNC_ERR_BUSY) before it
   * is forwarded; the supervisor wakes the waiters (`Atomics.notify`) when it
   * clears the flag. Unsynced traffic never waits. Without it (a bare
   * ConnectionPool) nothing is held.
   */
  readonly syncHold?: SharedArrayBuffer;
  /**
   * Limits and access rules for client connections. The supervisor always
   * sends them; without them (a bare ConnectionPool) a worker applies Node's
   * own header limits and restricts nobody (`UNRESTRICTED` in
   * proxy/client-policy.ts).
   */
  readonly clients?: ClientPolicy;
}

/** An address or network clients may connect from (`--allow`): a bare address is a /32 or /128. */
export interface AddressRule {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** One device's proxy credentials (`--auth user:password`); the user names the device on its cookie events. */
export interface ProxyCredential {
  readonly user: string;
  readonly password: string;
}

export interface ClientPolicy {
  /** Most bytes of a request line and its header fields; beyond, 431. */
  readonly maxHeaderSize: number;
  /** Longest wait for a whole request head, from connecting or from its first byte on a kept-alive connection; then 408. */
  readonly headersTimeoutMs: number;
  /** Most client connections open at once across every worker; beyond, 503. */
  readonly maxConnections: number;
  /**
   * The connections each worker holds, one Int32 per worker index, shared by
   * the supervisor with every worker; the cap holds against their sum. A
   * worker that dies leaves its count behind: the pool zeroes its slot.
   */
  readonly connectionCounts: SharedArrayBuffer;
  /** Most connections one client address holds on one worker; 0 for no such cap. */
  readonly maxConnectionsPerClient: number;
  /** Who may connect; empty for every address. */
  readonly allow: readonly AddressRule[];
  /** Who may use the proxy (Proxy-Authorization: Basic); empty for no authentication. */
  readonly credentials: readonly ProxyCredential[];
}

/** Exposed by every connection worker over its control port (comlink). */
export interface ConnectionWorkerControl {
  setDomains(domains: readonly DomainRule[]): void;
  setSyncing(syncing: boolean): void;
  /** Starts listening (reusePort). Resolves with the bound port or rejects with a SerializedError-shaped error. */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting; open connections go on. */
  unlisten(): Promise<void>;
  stats(): WorkerStats;
  /**
   * Stops accepting, lets requests in flight finish (up to `timeoutMs`), closes
   * idle keep-alive connections, flushes pending events and resolves. The serve
   * task then returns.
   */
  drain(timeoutMs: number): Promise<void>;
}

export interface WorkerStats {
  readonly index: number;
  readonly threadId: number;
  readonly listening: boolean;
  readonly connectionsOpen: number;
  readonly connectionsTotal: number;
  readonly requestsTotal: number;
  readonly tunnelsBlind: number;
  readonly tunnelsDecrypted: number;
  readonly upstreamErrors: number;
  /** Connections refused for being over the total or per-client cap (503). */
  readonly connectionsRefused: number;
  /** Connections closed at once because their address is not allowed. */
  readonly clientsDenied: number;
  /** Requests answered 407 (no or wrong proxy credentials). */
  readonly authRefused: number;
  /** Clients answered 408 or closed for a late request head or a stalled request. */
  readonly clientTimeouts: number;
  /** Requests refused for aiming at the proxy itself (508) or the admin API (403). */
  readonly targetsRefused: number;
  readonly eventsSent: number;
  /** Requests to synced origins that waited for the jar to catch up (see ProxySettings.syncHold). */
  readonly requestsHeld: number;
  /** Of those, answered 503 JARSYNC_ERR_BUSY for waiting too long. */
  readonly requestsBusy: number;
  /** CPU time this thread has used, in microseconds (user + system). */
  readonly cpuMicros: number;
}

/** A leaf certificate for one host, as the supervisor's certificate service hands it out. */
export interface LeafCertificate {
  readonly host: string;
  /** The leaf certificate in PEM (the CA is not appended; the worker adds it to the chain). */
  readonly certPem: string;
  /** Validity end, in ms since the epoch. */
  readonly notAfter: number;
}

/** Exposed by the supervisor to every connection worker over its cert port (comlink). */
export interface CertService {
  leafFor(host: string): Promise<LeafCertificate>;
}

/** Cookie events from one worker, posted on its events port. */
export interface EventBatch {
  readonly kind: 'events';
  readonly worker: number;
  readonly events: readonly CookieEvent[];
}

/**
 * The last message a draining worker posts on its events port, after its last
 * batch. Ports are ordered but separate from one another: without this marker
 * the answer to `drain()` (on the control port) could overtake the last batch,
 * and closing the ports would lose it.
 */
export interface EventsDrained {
  readonly kind: 'drained';
  readonly worker: number;
}

export type EventsMessage = EventBatch | EventsDrained;

/** A piscina task for the mint pool; the CA and leaf public key come in the pool's workerData. */
export interface MintTask {
  readonly kind: 'mint';
  readonly host: string;
  /** Clock for the validity window, ms since the epoch (injectable for tests). */
  readonly now: number;
}

/** The mint pool's workerData: set once when the pool starts. */
export interface MintWorkerData {
  readonly caCertPem: string;
  readonly caKeyPem: string;
  /** The shared leaf public key as SPKI PEM. */
  readonly leafPublicKeyPem: string;
}
