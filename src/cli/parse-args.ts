/**
 * The command line, parsed into a typed command. Every value is checked here,
 * so that a mistake is reported with the flag that carries it
 * (`--port: must be …`) before anything starts; the supervisor checks its
 * options again, as it does for every caller.
 *
 *   jarsync start   [--port N] [--host H] [--domain D]… [--data-dir DIR] [--admin-port N] [--workers N]
 *                   [--ca-file F]… [--insecure-upstream] [--resolve PATTERN=ADDRESS]… [--no-sync]
 *                   [--no-persist] [--leaf-key ec|rsa] [--cdp URL] [--allow CIDR]… [--auth USER:PASSWORD]… [--auth-file F]
 *                   [--max-header-size BYTES] [--headers-timeout MS] [--idle-timeout MS]
 *                   [--upstream-connect-timeout MS] [--upstream-response-timeout MS]
 *                   [--max-connections N] [--max-connections-per-client N] [--max-certificates N]
 *                   [--mailbox-capacity N] [--backlog-capacity N] [--hold-high-water N] [--hold-low-water N]
 *   jarsync cookies [--data-dir DIR] [--url U] [--domain D] [--format netscape|json|storage-state|header]
 *   jarsync wait    [--data-dir DIR] --domain D --name N [--timeout S] [--changed-since T]
 *   jarsync ca      [--data-dir DIR] [--pem]
 *   jarsync --help | <command> --help | --version
 *
 * Flags take their value as the next argument or after `=` (`--port=8080`).
 */
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { parseCdpEndpoint } from '../cdp/cdp-endpoint.ts';
import { parseDomainRule } from '../domains/parse-domain.ts';
import { JarsyncError } from '../errors.ts';
import { DEFAULT_BACKLOG_CAPACITY, defaultDataDir, defaultHoldMarks, type SupervisorOptions } from '../options.ts';
import { isLoopbackHost, parseAddressRule } from '../proxy/address-rules.ts';
import { parseCredential } from '../proxy/proxy-auth.ts';
import type { ProxyCredential, ResolveRule } from '../workers/protocol.ts';
import { COOKIES_FLAGS, cookiesCommand, WAIT_FLAGS, waitCommand, type CookiesCommand, type WaitCommand } from './cookie-command-args.ts';

export type { CookiesCommand, CookiesFormat, WaitCommand } from './cookie-command-args.ts';

export const COMMANDS = ['start', 'cookies', 'ca', 'wait'] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface StartCommand {
  readonly kind: 'start';
  /** What the flags set; everything left out takes the supervisor's default. `dataDir` is always set. */
  readonly options: SupervisorOptions & { readonly dataDir: string };
}

export interface CaCommand {
  readonly kind: 'ca';
  readonly dataDir: string;
  /** Print the certificate itself rather than its path. */
  readonly pem: boolean;
}

export interface HelpCommand {
  readonly kind: 'help';
  /** The command whose help was asked for; null for the overview. */
  readonly topic: CommandName | null;
}

export interface VersionCommand {
  readonly kind: 'version';
}

export type Command = StartCommand | CookiesCommand | WaitCommand | CaCommand | HelpCommand | VersionCommand;

interface FlagSpec {
  /** Whether it takes a value. */
  readonly value: boolean;
  /** Whether it may be given more than once (each value is kept). */
  readonly repeatable?: boolean;
}

const FLAGS: Readonly<Record<CommandName, Readonly<Record<string, FlagSpec>>>> = {
  start: {
    port: { value: true },
    host: { value: true },
    domain: { value: true, repeatable: true },
    'data-dir': { value: true },
    'admin-port': { value: true },
    workers: { value: true },
    'ca-file': { value: true, repeatable: true },
    'insecure-upstream': { value: false },
    resolve: { value: true, repeatable: true },
    'no-sync': { value: false },
    'no-persist': { value: false },
    'leaf-key': { value: true },
    cdp: { value: true },
    allow: { value: true, repeatable: true },
    auth: { value: true, repeatable: true },
    'auth-file': { value: true },
    'max-header-size': { value: true },
    'headers-timeout': { value: true },
    'idle-timeout': { value: true },
    'upstream-connect-timeout': { value: true },
    'upstream-response-timeout': { value: true },
    'max-connections': { value: true },
    'max-connections-per-client': { value: true },
    'max-certificates': { value: true },
    'mailbox-capacity': { value: true },
    'backlog-capacity': { value: true },
    'hold-high-water': { value: true },
    'hold-low-water': { value: true },
  },
  cookies: COOKIES_FLAGS,
  wait: WAIT_FLAGS,
  ca: {
    'data-dir': { value: true },
    pem: { value: false },
  },
};

/** The most connection workers the supervisor accepts (options.ts). */
const MAX_WORKERS = 256;

/** The bounds options.ts checks too: a request head of 1 KiB … 16 MiB, a day for any timeout, a million connections. */
const HEADER_SIZE_BOUNDS = [1_024, 16 * 1024 * 1024] as const;
const TIMEOUT_MAX_MS = 86_400_000;
const CONNECTIONS_MAX = 1_000_000;
/** Ten million events is gigabytes of memory: no jar needs more room than that. */
const EVENTS_MAX = 10_000_000;

/** The limit flags: flag name → option, with the bounds of its value. */
const LIMIT_FLAGS = [
  ['max-header-size', 'maxHeaderSize', HEADER_SIZE_BOUNDS[0], HEADER_SIZE_BOUNDS[1]],
  ['headers-timeout', 'headersTimeoutMs', 1, TIMEOUT_MAX_MS],
  ['idle-timeout', 'idleTimeoutMs', 1, TIMEOUT_MAX_MS],
  ['upstream-connect-timeout', 'upstreamConnectTimeoutMs', 1, TIMEOUT_MAX_MS],
  ['upstream-response-timeout', 'upstreamResponseTimeoutMs', 1, TIMEOUT_MAX_MS],
  ['max-connections', 'maxConnections', 1, CONNECTIONS_MAX],
  ['max-connections-per-client', 'maxConnectionsPerClient', 0, CONNECTIONS_MAX],
  ['max-certificates', 'maxCertificates', 1, CONNECTIONS_MAX],
  ['mailbox-capacity', 'mailboxCapacity', 1, EVENTS_MAX],
  ['backlog-capacity', 'backlogCapacity', 1, EVENTS_MAX],
  ['hold-high-water', 'holdHighWater', 1, EVENTS_MAX],
  ['hold-low-water', 'holdLowWater', 0, EVENTS_MAX],
] as const;

/**
 * Parses the arguments after the program name. Throws a JarsyncError naming
 * the flag: JARSYNC_ERR_UNKNOWN_OPTION for a flag or command that does not
 * exist, JARSYNC_ERR_BAD_DOMAIN for a domain that is not one,
 * JARSYNC_ERR_BAD_OPTION for any other value that cannot be used.
 */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Command {
  const [first, ...rest] = argv;
  if (first === undefined) {
    throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `a command is needed: ${COMMANDS.join(', ')}`);
  }
  if (first === '--help' || first === '-h' || first === 'help') return { kind: 'help', topic: rest[0] === undefined ? null : commandName(rest[0]) };
  if (first === '--version' || first === '-v') return { kind: 'version' };
  if (first.startsWith('-')) throw unknownFlag(first, null);
  const name = commandName(first);
  // Help wins over every other flag: `jarsync start --port x --help` shows help, not an error.
  const beforeSeparator = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (beforeSeparator.some((arg) => arg === '--help' || arg === '-h')) return { kind: 'help', topic: name };
  const flags = readFlags(name, rest);
  switch (name) {
    case 'start':
      return startCommand(flags, env);
    case 'cookies':
      return cookiesCommand(flags, dataDirOf(flags, env));
    case 'wait':
      return waitCommand(flags, dataDirOf(flags, env));
    case 'ca':
      return { kind: 'ca', dataDir: dataDirOf(flags, env), pem: flags.has('pem') };
  }
}

/** Each flag given, by name without `--`, with its values in order (empty for a flag without value). */
type Flags = ReadonlyMap<string, readonly string[]>;

function readFlags(command: CommandName, args: readonly string[]): Flags {
  const specs = FLAGS[command];
  const flags = new Map<string, string[]>();
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      const extra = args[index + 1];
      if (extra !== undefined) throw unexpected(extra, command);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') throw unexpected(arg, command);
    if (!arg.startsWith('--')) throw unknownFlag(arg, command);
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    const inline = equals === -1 ? undefined : arg.slice(equals + 1);
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (spec === undefined) throw unknownFlag(`--${name}`, command);
    if (flags.has(name) && spec.repeatable !== true) throw bad(`--${name}`, 'is given more than once');
    const values = flags.get(name) ?? [];
    if (!spec.value) {
      if (inline !== undefined) throw bad(`--${name}`, `takes no value (got "${inline}")`);
      flags.set(name, values);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = args[index + 1];
      // A value never starts with `--`: `--data-dir --port 1` is a missing value, not a dir named "--port".
      if (next === undefined || next.startsWith('--')) throw bad(`--${name}`, 'needs a value');
      value = next;
      index += 1;
    }
    values.push(value);
    flags.set(name, values);
  }
  return flags;
}

function cdpEndpoint(text: string): string {
  try {
    return parseCdpEndpoint(text);
  } catch {
    throw bad('--cdp', `must be a browser's DevTools endpoint, http://HOST:PORT (got "${text}")`);
  }
}

function startCommand(flags: Flags, env: NodeJS.ProcessEnv): StartCommand {
  const options: { -readonly [K in keyof SupervisorOptions]: SupervisorOptions[K] } & { dataDir: string } = { dataDir: dataDirOf(flags, env) };
  const port = single(flags, 'port');
  if (port !== undefined) options.port = portNumber('--port', port);
  const host = single(flags, 'host');
  if (host !== undefined) options.host = hostAddress(host);
  const adminPort = single(flags, 'admin-port');
  if (adminPort !== undefined) options.adminPort = portNumber('--admin-port', adminPort);
  if (options.adminPort !== undefined && options.adminPort !== 0 && options.adminPort === options.port) {
    throw bad('--admin-port', `must differ from --port (both are ${options.port})`);
  }
  const workers = single(flags, 'workers');
  if (workers !== undefined) options.workers = wholeNumber('--workers', workers, 1, MAX_WORKERS);
  const domains = flags.get('domain');
  if (domains !== undefined) options.domains = domains.map(syncDomain);
  const caFiles = flags.get('ca-file');
  if (caFiles !== undefined) options.caFiles = caFiles.map((file) => filePath('--ca-file', file));
  if (flags.has('insecure-upstream')) options.insecureUpstream = true;
  const resolve = flags.get('resolve');
  if (resolve !== undefined) options.resolve = resolve.map(resolveRule);
  if (flags.has('no-sync')) options.syncing = false;
  if (flags.has('no-persist')) options.persist = false;
  const leafKey = single(flags, 'leaf-key');
  if (leafKey !== undefined) {
    if (leafKey !== 'ec' && leafKey !== 'rsa') throw bad('--leaf-key', `must be ec or rsa (got "${leafKey}")`);
    options.leafKeyType = leafKey;
  }
  const cdp = single(flags, 'cdp');
  if (cdp !== undefined) options.cdp = cdpEndpoint(cdp);
  for (const [flag, option, min, max] of LIMIT_FLAGS) {
    const value = single(flags, flag);
    if (value !== undefined) options[option] = wholeNumber(`--${flag}`, value, min, max);
  }
  checkHoldMarks(options);
  const allow = flags.get('allow');
  if (allow !== undefined) options.allow = allow.map(allowRule);
  const auth = flags.get('auth');
  if (auth !== undefined) options.auth = credentials(auth);
  const authFile = single(flags, 'auth-file');
  // Read at start, with the other options: the supervisor names a bad line.
  if (authFile !== undefined) options.authFile = filePath('--auth-file', authFile);
  if (!isLoopbackHost(options.host ?? '127.0.0.1') && allow === undefined && auth === undefined && authFile === undefined) {
    throw bad('--host', `${options.host ?? ''} is reachable from the network: give --allow CIDR and/or --auth user:password (or --auth-file) to say who may use the proxy`);
  }
  return { kind: 'start', options };
}

/** The hold's marks against the backlog and each other, named by their flags (options.ts checks them again). */
function checkHoldMarks(options: Pick<SupervisorOptions, 'backlogCapacity' | 'holdHighWater' | 'holdLowWater'>): void {
  const capacity = options.backlogCapacity ?? DEFAULT_BACKLOG_CAPACITY;
  const high = options.holdHighWater ?? defaultHoldMarks(capacity).high;
  if (high > capacity) throw bad('--hold-high-water', `must be at most --backlog-capacity (${capacity}) (got ${high})`);
  if (options.holdLowWater !== undefined && options.holdLowWater >= high) {
    throw bad('--hold-low-water', `must be under --hold-high-water (${high}) (got ${options.holdLowWater})`);
  }
}

/** `--allow`: an address or a CIDR network, kept as written (options.ts parses it again). */
function allowRule(text: string): string {
  if (parseAddressRule(text) === null) throw bad('--allow', `must be an IP address or a CIDR network, such as 192.168.1.0/24 or fd00::/8 (got "${text}")`);
  return text;
}

/** `--auth user:password`, repeatable; the password is never repeated in a message. */
function credentials(values: readonly string[]): ProxyCredential[] {
  const users = new Set<string>();
  return values.map((text) => {
    const credential = parseCredential(text);
    if (credential === null) {
      const colon = text.indexOf(':');
      const user = colon < 0 ? '' : text.slice(0, colon);
      throw bad('--auth', `must be USER:PASSWORD, the user 1 to 64 of A-Z a-z 0-9 . _ ~ - and the password not empty (got user "${user}")`);
    }
    if (users.has(credential.user)) throw bad('--auth', `user "${credential.user}" is given more than once`);
    users.add(credential.user);
    return credential;
  });
}

function commandName(text: string): CommandName {
  const name = COMMANDS.find((known) => known === text);
  if (name === undefined) throw new JarsyncError('JARSYNC_ERR_UNKNOWN_OPTION', `unknown command "${text}" (the commands are ${COMMANDS.join(', ')})`);
  return name;
}

function single(flags: Flags, name: string): string | undefined {
  return flags.get(name)?.[0];
}

function dataDirOf(flags: Flags, env: NodeJS.ProcessEnv): string {
  const dir = single(flags, 'data-dir');
  return dir === undefined ? defaultDataDir(env) : filePath('--data-dir', dir);
}

/** A path, with a leading `~/` expanded: the shell does not expand it in `--data-dir=~/x`. */
function filePath(flag: string, text: string): string {
  if (text === '') throw bad(flag, 'needs a path');
  return path.resolve(text === '~' || text.startsWith('~/') ? path.join(homedir(), text.slice(1)) : text);
}

function portNumber(flag: string, text: string): number {
  return wholeNumber(flag, text, 0, 65_535, 'a port number');
}

function wholeNumber(flag: string, text: string, min: number, max: number, what = 'a whole number'): number {
  const value = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw bad(flag, `must be ${what} from ${min} to ${max} (got "${text}")`);
  return value;
}

function hostAddress(text: string): string {
  if (isIP(text) === 0 && text !== 'localhost') throw bad('--host', `must be an IP address to listen on, or localhost (got "${text}")`);
  return text;
}

function syncDomain(text: string): string {
  try {
    return parseDomainRule(text).spec;
  } catch (error) {
    throw new JarsyncError('JARSYNC_ERR_BAD_DOMAIN', `--domain: ${messageOf(error)}`);
  }
}

/** `PATTERN=ADDRESS`, as curl's --resolve without the port: `*.test=127.0.0.1`, `api.example.com=[::1]`. */
function resolveRule(text: string): ResolveRule {
  const equals = text.indexOf('=');
  const pattern = equals === -1 ? '' : text.slice(0, equals).toLowerCase();
  let address = equals === -1 ? '' : text.slice(equals + 1);
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  if (pattern === '' || /[\s/:@=]/.test(pattern)) throw bad('--resolve', `must be PATTERN=ADDRESS, such as *.test=127.0.0.1 (got "${text}")`);
  if (isIP(address) === 0) throw bad('--resolve', `"${address}" is not an IP address (in "${text}")`);
  return { pattern, address };
}

function bad(flag: string, problem: string): JarsyncError {
  return new JarsyncError('JARSYNC_ERR_BAD_OPTION', `${flag}: ${problem}`);
}

function unknownFlag(flag: string, command: CommandName | null): JarsyncError {
  const where = command === null ? '' : ` for "jarsync ${command}"`;
  return new JarsyncError('JARSYNC_ERR_UNKNOWN_OPTION', `unknown flag ${flag}${where}`);
}

function unexpected(arg: string, command: CommandName): JarsyncError {
  return new JarsyncError('JARSYNC_ERR_BAD_OPTION', `unexpected argument "${arg}": "jarsync ${command}" takes flags only`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
