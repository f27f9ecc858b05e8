import { availableParallelism, homedir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { DEFAULT_CDP_POLL_INTERVAL_MS, parseCdpEndpoint } from './cdp/cdp-endpoint.ts';
import { JarsyncError } from './errors.ts';
import { parseDomainRule } from './domains/parse-domain.ts';
import type { DomainRule } from './domains/domain-rule.ts';
import { allowsEveryone, formatAddressRule, isLoopbackHost, parseAddressRule } from './proxy/address-rules.ts';
import { checkCredential, parseCredential } from './proxy/proxy-auth.ts';
import { CERT_CACHE_MAX_HOSTS } from './tls/cert-policy.ts';
import type { AddressRule, ProxyCredential, ResolveRule } from './workers/protocol.ts';

export type { AddressRule, ProxyCredential };

/** Postman's proxy port, kept so that devices set up for Postman work unchanged. */
export const DEFAULT_PROXY_PORT = 5555;

/**
 * The request-line-and-headers limit: nginx's default total (4 × 8 KiB
 * `large_client_header_buffers`), twice Node's own 16 KiB. A request an
 * origin behind common defaults would take is never refused by the proxy
 * first, and a 1 MB header costs no more than this to refuse.
 */
export const DEFAULT_MAX_HEADER_SIZE = 32 * 1024;

/**
 * How long a client has to send a request head: Apache's mod_reqtimeout
 * default (`header=20-40`) starts at 20 s. A head fits in a packet or two, so
 * only a client holding a connection on purpose (slowloris) comes near it.
 */
export const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;

/**
 * Most client connections open at once. A connection can hold two file
 * descriptors (client and upstream), so 10,000 fits a 20,000-descriptor limit
 * (this project's test machine's) and is the hardening issue's target of
 * connections held at once.
 */
export const DEFAULT_MAX_CONNECTIONS = 10_000;

/**
 * Most connections one client address holds on one worker, when the proxy is
 * bound beyond loopback. Chromium and Firefox open at most 32 connections to
 * one proxy; 256 leaves room for several browsers and apps, or a few devices
 * behind one NAT address. On loopback every client is this machine, one
 * address: the per-client cap would only be a second total, so there is none.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 256;

/**
 * Cookie events kept waiting, in order, behind a full jar mailbox: as many
 * again as the mailbox holds (about a second of the jar's work), so that a
 * jar held up for a moment (a slow disk, a long query) loses nothing.
 */
export const DEFAULT_BACKLOG_CAPACITY = 100_000;

/**
 * The hold begins when the backlog is half full, leaving the other half for
 * the events of requests already in flight (they are not held), and ends
 * when it is down to a tenth: apart enough that the hold does not flap.
 */
export function defaultHoldMarks(backlogCapacity: number): { readonly high: number; readonly low: number } {
  const high = Math.max(1, Math.ceil(backlogCapacity / 2));
  return { high, low: Math.min(high - 1, Math.floor(backlogCapacity / 10)) };
}

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
  /**
   * A running Chromium or Chrome to sync cookies from over the DevTools
   * protocol: its endpoint, `http://127.0.0.1:9222` (what
   * `--remote-debugging-port=9222` opens). Its cookies for synced domains go
   * into the jar with source `cdp`; jarsync reconnects when the browser
   * restarts. Defaults to null (none).
   */
  readonly cdp?: string | null;
  /** How often the browser's cookies are read over the DevTools protocol (page script sets them without an event). Defaults to 1000 ms. */
  readonly cdpPollIntervalMs?: number;
  /** Longest time a change waits before it is committed to the jar's database. Defaults to 50 ms. */
  readonly flushIntervalMs?: number;
  /**
   * Cookie events (and queries) the jar actor's mailbox holds; more events
   * wait in the backlog. Defaults to 100,000.
   */
  readonly mailboxCapacity?: number;
  /**
   * Cookie events kept waiting, in order, while the jar's mailbox is full,
   * and told to the jar as it makes room. An event beyond is lost: counted
   * (`events.lost` on /api/status) and logged. Defaults to 100,000.
   */
  readonly backlogCapacity?: number;
  /**
   * Backlog at which every worker starts holding new requests to synced
   * origins (up to `upstreamResponseTimeoutMs`, then 503 JARSYNC_ERR_BUSY);
   * unsynced traffic is never held. From 1 to `backlogCapacity`. Defaults to
   * half of `backlogCapacity` (50,000).
   */
  readonly holdHighWater?: number;
  /**
   * Backlog at or under which held requests go on. Under `holdHighWater`.
   * Defaults to a tenth of `backlogCapacity` (10,000).
   */
  readonly holdLowWater?: number;
  /**
   * Hosts whose certificates are kept; beyond, the least recently used is
   * forgotten (and minted again, about a millisecond, if it comes back).
   * Defaults to 10,000.
   */
  readonly maxCertificates?: number;
  /** Longest wait for an upstream connection (TCP and TLS). Defaults to 10,000 ms. */
  readonly upstreamConnectTimeoutMs?: number;
  /** Longest wait for an upstream response head once the request is sent. Defaults to 120,000 ms. */
  readonly upstreamResponseTimeoutMs?: number;
  /**
   * A client connection is closed after this long idle: a kept-alive
   * connection with no request, or a request waiting on its client (a body
   * that stopped coming, a response it stopped reading) with no byte moving
   * either way, which is answered 408 when the response has not begun.
   * Waiting on the origin is bounded by the upstream timeouts instead.
   * Defaults to 60,000 ms.
   */
  readonly idleTimeoutMs?: number;
  /**
   * Most bytes of a request line and its header fields, on plain connections
   * and inside decrypted tunnels; a larger request gets 431. Defaults to
   * 32,768 (see DEFAULT_MAX_HEADER_SIZE).
   */
  readonly maxHeaderSize?: number;
  /**
   * Longest a client may take to send a whole request head, counted from
   * connecting (a TLS handshake in a tunnel included) or from the head's first
   * byte on a kept-alive connection; then 408 and the connection closes.
   * Defaults to 20,000 ms.
   */
  readonly headersTimeoutMs?: number;
  /**
   * Most client connections open at once, across every worker; a connection
   * beyond gets 503 with `Retry-After` on its first request. Defaults to 10,000.
   */
  readonly maxConnections?: number;
  /**
   * Most connections one client address holds on one worker (the kernel
   * spreads a client's connections over the workers, so up to this times
   * `workers` in all); beyond, 503 with `Retry-After`. 0 for no such cap.
   * Defaults to 256 when `host` is not a loopback address, else 0.
   */
  readonly maxConnectionsPerClient?: number;
  /**
   * Client addresses or networks that may connect: `10.0.0.0/8`, `fd00::/8`, a
   * bare address for itself alone. Any other client's connection is closed at
   * once, unanswered. Loopback is not implied: add `127.0.0.1` to use the
   * proxy from this machine too. Defaults to none: every address.
   */
  readonly allow?: readonly string[];
  /**
   * Credentials, one per device, that requests must carry as
   * `Proxy-Authorization: Basic`; a request without them gets 407. The user
   * (letters, digits, `.` `_` `~` `-`) names the device on its cookie events
   * (`client: "user@address:port"`). Defaults to none: no authentication.
   */
  readonly auth?: readonly ProxyCredential[];
  /**
   * A file of credentials, one `user:password` per line (blank lines and lines
   * starting with `#` ignored), read at start and added to `auth`: it keeps
   * passwords out of the process list, where `--auth` shows them to every
   * user of the machine. Defaults to none.
   */
  readonly authFile?: string;
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
  readonly cdp: string | null;
  readonly cdpPollIntervalMs: number;
  readonly flushIntervalMs: number;
  readonly mailboxCapacity: number;
  readonly backlogCapacity: number;
  readonly holdHighWater: number;
  readonly holdLowWater: number;
  readonly maxCertificates: number;
  readonly upstreamConnectTimeoutMs: number;
  readonly upstreamResponseTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxHeaderSize: number;
  readonly headersTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerClient: number;
  readonly allow: readonly AddressRule[];
  readonly auth: readonly ProxyCredential[];
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

function wholeOrZero(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw bad(name, `must be a whole number from 0 to ${max} (got ${JSON.stringify(value)})`);
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
  'authFile', 'maxHeaderSize', 'headersTimeoutMs', 'maxConnections', 'maxConnectionsPerClient', 'allow', 'auth',
  'backlogCapacity', 'holdHighWater', 'holdLowWater', 'maxCertificates', 'cdp', 'cdpPollIntervalMs',
]);

/** The most bytes of request head Node's parser is given (its own limit is far larger). */
const MAX_HEADER_SIZE_LIMIT = 16 * 1024 * 1024;

function allowRules(values: unknown): AddressRule[] {
  if (!Array.isArray(values)) throw bad('allow', 'must be a list of addresses or CIDR networks');
  return values.map((value: unknown) => {
    const rule = typeof value === 'string' ? parseAddressRule(value) : null;
    if (rule === null) throw bad('allow', `${JSON.stringify(value)} is not an IP address or a CIDR network (such as 192.168.1.0/24 or fd00::/8)`);
    return rule;
  });
}

/** The credentials of an auth file; a bad line is named by its number, never its content. */
function credentialsFile(file: unknown): ProxyCredential[] {
  if (typeof file !== 'string' || file === '') throw bad('authFile', 'must be a path');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw bad('authFile', `cannot read ${file}: ${(error as Error).message}`);
  }
  const found: ProxyCredential[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const credential = parseCredential(line);
    if (credential === null) throw bad('authFile', `${file} line ${index + 1} is not user:password (a user is 1 to 64 of A-Z a-z 0-9 . _ ~ -)`);
    found.push(credential);
  }
  return found;
}

function credentials(values: unknown): ProxyCredential[] {
  if (!Array.isArray(values)) throw bad('auth', 'must be a list of { user, password }');
  const users = new Set<string>();
  return values.map((value: unknown) => {
    const credential = typeof value === 'object' && value !== null ? checkCredential(value as ProxyCredential) : null;
    if (credential === null) {
      const user = typeof value === 'object' && value !== null ? (value as { user?: unknown }).user : undefined;
      // The password is never repeated in a message.
      throw bad('auth', `user ${JSON.stringify(user)}: a user is 1 to 64 of A-Z a-z 0-9 . _ ~ - and a password is not empty and holds no control character`);
    }
    if (users.has(credential.user)) throw bad('auth', `user "${credential.user}" is given more than once`);
    users.add(credential.user);
    return credential;
  });
}

/**
 * A proxy reachable from the network must not be an open proxy: bound to
 * anything but loopback, it starts only when clients are restricted.
 */
function checkExposure(host: string, allow: readonly AddressRule[], auth: readonly ProxyCredential[]): void {
  if (isLoopbackHost(host) || allow.length > 0 || auth.length > 0) return;
  throw bad(
    'host',
    `${host} is reachable from the network: restrict who may use the proxy with allow (--allow CIDR) and/or auth (--auth user:password), or bind 127.0.0.1`,
  );
}

/** What start() warns about: an allow list that lets everyone in, with no credentials asked. */
export function openProxyWarning(options: Pick<ResolvedOptions, 'host' | 'allow' | 'auth'>): string | null {
  if (isLoopbackHost(options.host) || options.auth.length > 0) return null;
  const everyone = options.allow.filter(allowsEveryone);
  if (everyone.length === 0) return null;
  return `the proxy on ${options.host} lets any address in (allow ${everyone.map(formatAddressRule).join(', ')}) and asks no credentials: anyone who reaches it can use it`;
}

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

  const allow = allowRules(options.allow ?? []);
  const auth = credentials([...(options.auth ?? []), ...(options.authFile === undefined ? [] : credentialsFile(options.authFile))]);
  checkExposure(host, allow, auth);

  const backlogCapacity = positive('backlogCapacity', options.backlogCapacity ?? DEFAULT_BACKLOG_CAPACITY, 10_000_000);
  const marks = defaultHoldMarks(backlogCapacity);
  const holdHighWater = positive('holdHighWater', options.holdHighWater ?? marks.high, backlogCapacity);
  const holdLowWater = wholeOrZero('holdLowWater', options.holdLowWater ?? Math.min(marks.low, holdHighWater - 1), holdHighWater - 1);

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
    cdp: options.cdp === undefined || options.cdp === null ? null : parseCdpEndpoint(options.cdp),
    cdpPollIntervalMs: positive('cdpPollIntervalMs', options.cdpPollIntervalMs ?? DEFAULT_CDP_POLL_INTERVAL_MS, 3_600_000),
    flushIntervalMs: positive('flushIntervalMs', options.flushIntervalMs ?? 50, 60_000),
    mailboxCapacity: positive('mailboxCapacity', options.mailboxCapacity ?? 100_000, 10_000_000),
    backlogCapacity,
    holdHighWater,
    holdLowWater,
    maxCertificates: positive('maxCertificates', options.maxCertificates ?? CERT_CACHE_MAX_HOSTS, 1_000_000),
    upstreamConnectTimeoutMs: positive('upstreamConnectTimeoutMs', options.upstreamConnectTimeoutMs ?? 10_000),
    upstreamResponseTimeoutMs: positive('upstreamResponseTimeoutMs', options.upstreamResponseTimeoutMs ?? 120_000),
    idleTimeoutMs: positive('idleTimeoutMs', options.idleTimeoutMs ?? 60_000),
    maxHeaderSize: positive('maxHeaderSize', options.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE, MAX_HEADER_SIZE_LIMIT),
    headersTimeoutMs: positive('headersTimeoutMs', options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS),
    maxConnections: positive('maxConnections', options.maxConnections ?? DEFAULT_MAX_CONNECTIONS, 1_000_000),
    maxConnectionsPerClient: wholeOrZero(
      'maxConnectionsPerClient',
      options.maxConnectionsPerClient ?? (isLoopbackHost(host) ? 0 : DEFAULT_MAX_CONNECTIONS_PER_CLIENT),
      1_000_000,
    ),
    allow,
    auth,
    drainTimeoutMs: positive('drainTimeoutMs', options.drainTimeoutMs ?? 10_000),
    eventBatchSize: positive('eventBatchSize', options.eventBatchSize ?? 256, 65_536),
    log:
      options.log ??
      ((level, message) => {
        process.stderr.write(`jarsync ${level}: ${message}\n`);
      }),
  };
}
