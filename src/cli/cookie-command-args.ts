/**
 * The flags of the two commands that read cookies, parsed into typed commands
 * (parse-args.ts reads the flags and resolves the data dir):
 *
 *   jarsync cookies [--url U] [--domain D] [--format netscape|json|storage-state|header]
 *                   [--json | --netscape | --header]      (aliases of --format, kept for scripts)
 *   jarsync wait    --domain D --name N [--timeout S] [--changed-since T]
 */
import { JarsyncError } from '../errors.ts';
import { EXPORT_FORMATS, isExportFormat, type ExportFormat } from '../formats/export-format.ts';
import { parseHttpUrl, validateFilter, type CookieFilter } from '../store/read-jar.ts';

/** Each flag given, by name without `--`, with its values in order. */
type Flags = ReadonlyMap<string, readonly string[]>;

export type CookiesFormat = ExportFormat;

export interface CookiesCommand {
  readonly kind: 'cookies';
  readonly dataDir: string;
  readonly filter: CookieFilter;
  readonly format: CookiesFormat;
}

export interface WaitCommand {
  readonly kind: 'wait';
  readonly dataDir: string;
  readonly domain: string;
  readonly name: string;
  /** Seconds. */
  readonly timeoutSeconds: number;
  /** ms since the epoch; null for any time. */
  readonly changedSince: number | null;
}

/** How long `jarsync wait` waits unless told (the admin API's default too). */
export const DEFAULT_WAIT_SECONDS = 30;
/** A day: a wait longer than that is a script that forgot to stop. */
const MAX_WAIT_SECONDS = 86_400;

/** The flags each command takes: name → whether it takes a value. */
export const COOKIES_FLAGS = {
  'data-dir': { value: true },
  url: { value: true },
  domain: { value: true },
  format: { value: true },
  json: { value: false },
  netscape: { value: false },
  header: { value: false },
} as const;

export const WAIT_FLAGS = {
  'data-dir': { value: true },
  domain: { value: true },
  name: { value: true },
  timeout: { value: true },
  'changed-since': { value: true },
} as const;

const ALIASES = ['json', 'netscape', 'header'] as const;

export function cookiesCommand(flags: Flags, dataDir: string): CookiesCommand {
  const given = [...(flags.has('format') ? ['format'] : []), ...ALIASES.filter((alias) => flags.has(alias))];
  if (given.length > 1) throw bad(`--${given[1] ?? ''}`, `cannot be combined with --${given[0] ?? ''}: choose one output format`);
  const formatText = single(flags, 'format');
  if (formatText !== undefined && !isExportFormat(formatText)) throw bad('--format', `must be one of ${EXPORT_FORMATS.join(', ')} (got "${formatText}")`);
  const format: CookiesFormat = formatText ?? ALIASES.find((alias) => flags.has(alias)) ?? 'json';
  const url = single(flags, 'url');
  if (url !== undefined) {
    try {
      parseHttpUrl(url);
    } catch (error) {
      throw bad('--url', messageOf(error));
    }
  }
  const domain = single(flags, 'domain');
  if (domain !== undefined) checkDomain(domain);
  if (format === 'header' && url === undefined) throw bad(flags.has('header') ? '--header' : '--format', 'header needs --url: a Cookie header is sent to one URL');
  const filter: CookieFilter = { ...(url === undefined ? {} : { url }), ...(domain === undefined ? {} : { domain }) };
  return { kind: 'cookies', dataDir, filter, format };
}

export function waitCommand(flags: Flags, dataDir: string): WaitCommand {
  const domain = single(flags, 'domain');
  if (domain === undefined) throw bad('--domain', 'is needed: the domain of the cookie to wait for');
  checkDomain(domain);
  const name = single(flags, 'name');
  if (name === undefined || name === '') throw bad('--name', 'is needed: the name of the cookie to wait for');
  const timeout = single(flags, 'timeout');
  let timeoutSeconds = DEFAULT_WAIT_SECONDS;
  if (timeout !== undefined) {
    timeoutSeconds = /^\d+(\.\d+)?$/.test(timeout) ? Number(timeout) : NaN;
    if (!(timeoutSeconds <= MAX_WAIT_SECONDS)) throw bad('--timeout', `must be seconds from 0 to ${MAX_WAIT_SECONDS} (got "${timeout}")`);
  }
  const since = single(flags, 'changed-since');
  let changedSince: number | null = null;
  if (since !== undefined) {
    changedSince = /^\d{1,16}$/.test(since) ? Number(since) : /^\d{4}-\d{2}-\d{2}T/.test(since) ? Date.parse(since) : NaN;
    if (Number.isNaN(changedSince)) throw bad('--changed-since', `must be ms since the epoch or an ISO 8601 date and time (got "${since}")`);
  }
  return { kind: 'wait', dataDir, domain, name, timeoutSeconds, changedSince };
}

function checkDomain(domain: string): void {
  try {
    validateFilter({ domain });
  } catch (error) {
    throw new JarsyncError('JARSYNC_ERR_BAD_DOMAIN', `--domain: ${messageOf(error)}`);
  }
}

function single(flags: Flags, name: string): string | undefined {
  return flags.get(name)?.[0];
}

function bad(flag: string, problem: string): JarsyncError {
  return new JarsyncError('JARSYNC_ERR_BAD_OPTION', `${flag}: ${problem}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
