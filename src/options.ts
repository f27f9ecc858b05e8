import { availableParallelism, homedir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { JarsyncError } from './errors.ts';
import { parseDomainRule } from './domains/parse-domain.ts';
import type { DomainRule } from './domains/domain-rule.ts';
import type { ResolveRule } from './workers/protocol.ts';

/** Postman's proxy port, kept so that devices set up for Postman work unchanged. */
export const DEFAULT_PROXY_PORT = 5555;

/** Options of `createSupervisor`. Every field is optional; each says its default. */
export interface SupervisorOptions {
  /** Proxy port; 0 picks a free one. Defaults to 5555. */
  readonly port?: number;
  /** Address the proxy binds. Defaults to 127.0.0.1. */
  readonly host?: string;
  /**
   * Admin API port, always bound to 127.0.0.1; null runs no admin API.
   * Defaults to `port + 1` (a free port when `port` is 0).
   */
  readonly adminPort?: number | null;
  /** Domains to sync from the start (see the README's domain rules). Defaults to none. */
  readonly domains?: readonly string[];
  /** Where the CA, the admin token and the jar live. Defaults to $JARSYNC_HOME, else ~/.jarsync. */
  readonly dataDir?: string;
  /** Connection worker threads. Defaults to the machine's available parallelism. */
  readonly workers?: number;
  /** Whether syncing is on at start (`false`: nothing decrypted or recorded until started). Defaults to true. */
  readonly syncing?: boolean;
  /** Whether the proxy listens at start. Defaults to true. */
  readonly proxyEnabled?: boolean;
  /** Extra PEM files of roots trusted for upstream servers, on top of Node's (and NODE_EXTRA_CA_CERTS). Defaults to none. */
  readonly caFiles?: readonly string[];
  /** Skip verifying upstream certificates. Defaults to false; when true, start() warns loudly. */
  readonly insecureUpstream?: boolean;
  /** Host → address overrides, like curl's --resolve (`*.test` covers every name under test). Defaults to none. */
  readonly resolve?: readonly ResolveRule[];
  /** The shared leaf key's type. Defaults to 'ec' (P-256: more handshakes per CPU second than RSA). */
  readonly leafKeyType?: 'ec' | 'rsa';
  /** Keep the jar in SQLite in the data dir (false: in memory only). Defaults to true. */
  readonly persist?: boolean;
  /** Longest time a change waits before it is committed to the jar's database. Defaults to 50 ms. */
  readonly flushIntervalMs?: number;
  /** Cookie events the jar actor queues before refusing more. Defaults to 100,000. */
  readonly mailboxCapacity?: number;
  /** Longest wait for an upstream connection (TCP and TLS). Defaults to 10,000 ms. */
  readonly upstreamConnectTimeoutMs?: number;
  /** Longest wait for an upstream response head once the request is sent. Defaults to 120,000 ms. */
  readonly upstreamResponseTimeoutMs?: number;
  /** Idle keep-alive connections from clients close after this long. Defaults to 60,000 ms. */
  readonly idleTimeoutMs?: number;
  /** How long close() lets requests in flight finish. Defaults to 10,000 ms. */
  readonly drainTimeoutMs?: number;
  /** Most cookie events in one worker-to-supervisor batch. Defaults to 256. */
  readonly eventBatchSize?: number;
  /** Where warnings and notices go. Defaults to one line each on stderr. */
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface ResolvedOptions {
  readonly port: number;
  readonly host: string;
  readonly adminPort: number | null;
  readonly domains: readonly DomainRule[];
  readonly dataDir: string;
  readonly workers: number;
  readonly syncing: boolean;
  readonly proxyEnabled: boolean;
  readonly upstreamCaPems: readonly string[];
  readonly insecureUpstream: boolean;
  readonly resolve: readonly ResolveRule[];
  readonly leafKeyType: 'ec' | 'rsa';
  readonly persist: boolean;
  readonly flushIntervalMs: number;
  readonly mailboxCapacity: number;
  readonly upstreamConnectTimeoutMs: number;
  readonly upstreamResponseTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly eventBatchSize: number;
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

function bad(name: string, message: string): JarsyncError {
  return new JarsyncError('JARSYNC_ERR_BAD_OPTION', `${name}: ${message}`);
}

function port(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65_535) {
    throw bad(name, `must be a port number from 0 to 65535 (got ${JSON.stringify(value)})`);
  }
  return value;
}

function positive(name: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw bad(name, `must be a whole number from 1 to ${max} (got ${JSON.stringify(value)})`);
  }
  return value;
}

function bool(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw bad(name, `must be true or false (got ${JSON.stringify(value)})`);
  return value;
}

/** The data dir the CLI and the library use when none is given. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env['JARSYNC_HOME'];
  return home !== undefined && home !== '' ? path.resolve(home) : path.join(homedir(), '.jarsync');
}

const KNOWN = new Set<string>([
  'port', 'host', 'adminPort', 'domains', 'dataDir', 'workers', 'syncing', 'proxyEnabled', 'caFiles',
  'insecureUpstream', 'resolve', 'leafKeyType', 'persist', 'flushIntervalMs', 'mailboxCapacity',
  'upstreamConnectTimeoutMs', 'upstreamResponseTimeoutMs', 'idleTimeoutMs', 'drainTimeoutMs', 'eventBatchSize', 'log',
]);

/**
 * Checks every option once, at creation, and fills in the defaults. Throws
 * JARSYNC_ERR_UNKNOWN_OPTION for a name it does not know, JARSYNC_ERR_BAD_OPTION
 * (naming the option) for a value it cannot use, JARSYNC_ERR_BAD_DOMAIN for a domain.
 */
export function resolveOptions(options: SupervisorOptions = {}): ResolvedOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new JarsyncError('JARSYNC_ERR_UNKNOWN_OPTION', `unknown option "${key}"`);
  }
  const proxyPort = port('port', options.port ?? DEFAULT_PROXY_PORT);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || (net.isIP(host) === 0 && host !== 'localhost')) {
    throw bad('host', `must be an IP address to bind, or localhost (got ${JSON.stringify(host)})`);
  }
  let adminPort: number | null;
  if (options.adminPort === null) adminPort = null;
  else if (options.adminPort === undefined) adminPort = proxyPort === 0 ? 0 : proxyPort + 1;
  else adminPort = port('adminPort', options.adminPort);
  if (adminPort !== null && adminPort > 65_535) throw bad('adminPort', `port + 1 is beyond 65535; give an admin port`);
  if (adminPort !== null && adminPort !== 0 && adminPort === proxyPort) throw bad('adminPort', `must differ from the proxy port ${proxyPort}`);

  const domains: DomainRule[] = [];
  for (const input of options.domains ?? []) {
    const rule = parseDomainRule(input);
    if (!domains.some((known) => known.spec === rule.spec)) domains.push(rule);
  }

  const caFiles = options.caFiles ?? [];
  const upstreamCaPems = caFiles.map((file) => {
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (error) {
      throw bad('caFile', `cannot read ${file}: ${(error as Error).message}`);
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw bad('caFile', `${file} holds no PEM certificate`);
    return pem;
  });

  const resolve = (options.resolve ?? []).map((rule) => {
    if (typeof rule.pattern !== 'string' || rule.pattern === '' || /[\s/:@]/.test(rule.pattern)) {
      throw bad('resolve', `bad host pattern ${JSON.stringify(rule.pattern)}`);
    }
    if (net.isIP(rule.address) === 0) throw bad('resolve', `${JSON.stringify(rule.address)} is not an IP address`);
    return { pattern: rule.pattern.toLowerCase(), address: rule.address };
  });

  const leafKeyType = options.leafKeyType ?? 'ec';
  // Checked at run time too: JavaScript callers and the CLI pass strings.
  if (!(['ec', 'rsa'] as const).includes(leafKeyType)) throw bad('leafKeyType', `must be "ec" or "rsa" (got ${JSON.stringify(leafKeyType)})`);

  return {
    port: proxyPort,
    host,
    adminPort,
    domains,
    dataDir: path.resolve(options.dataDir ?? defaultDataDir()),
    workers: positive('workers', options.workers ?? availableParallelism(), 256),
    syncing: bool('syncing', options.syncing ?? true),
    proxyEnabled: bool('proxyEnabled', options.proxyEnabled ?? true),
    upstreamCaPems,
    insecureUpstream: bool('insecureUpstream', options.insecureUpstream ?? false),
    resolve,
    leafKeyType,
    persist: bool('persist', options.persist ?? true),
    flushIntervalMs: positive('flushIntervalMs', options.flushIntervalMs ?? 50, 60_000),
    mailboxCapacity: positive('mailboxCapacity', options.mailboxCapacity ?? 100_000),
    upstreamConnectTimeoutMs: positive('upstreamConnectTimeoutMs', options.upstreamConnectTimeoutMs ?? 10_000),
    upstreamResponseTimeoutMs: positive('upstreamResponseTimeoutMs', options.upstreamResponseTimeoutMs ?? 120_000),
    idleTimeoutMs: positive('idleTimeoutMs', options.idleTimeoutMs ?? 60_000),
    drainTimeoutMs: positive('drainTimeoutMs', options.drainTimeoutMs ?? 10_000),
    eventBatchSize: positive('eventBatchSize', options.eventBatchSize ?? 256, 65_536),
    log:
      options.log ??
      ((level, message) => {
        process.stderr.write(`jarsync ${level}: ${message}\n`);
      }),
  };
}
