/**
 * The open-file limit (RLIMIT_NOFILE) of the bench's processes. Thousands of
 * connections held at once need a descriptor each on the client side and one
 * or two on the proxy's; a shell's usual limit is far lower.
 *
 *   runningUnder(nofile, command, args) ─▶ `prlimit --nofile=N:N command args…` (util-linux):
 *       the child starts with the limit, and prlimit execs it, so its PID is the child's
 *   raiseOwnLimit(nofile) ─▶ `prlimit --pid <this process> --nofile=N:N` (children inherit it)
 *
 * Raising the hard limit needs CAP_SYS_RESOURCE (root outside a container);
 * without it the soft limit can still go up to the hard one, and a child is
 * given at most that. The limit in force is read back from /proc/<pid>/limits
 * and reported, never assumed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const PRLIMIT_CANDIDATES = ['/usr/bin/prlimit', '/bin/prlimit'];

export function prlimitPath(): string | null {
  return PRLIMIT_CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
}

export interface OpenFileLimits {
  readonly soft: number;
  readonly hard: number;
}

/** The open-file limits of a process, from /proc; null when they cannot be read. */
export function openFilesLimits(pid: number = process.pid): OpenFileLimits | null {
  try {
    const line = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)\s+/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    if (line?.[1] === undefined || line[2] === undefined) return null;
    const read = (text: string): number => (text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text));
    return { soft: read(line[1]), hard: read(line[2]) };
  } catch {
    return null;
  }
}

/**
 * Raises this process's own limit towards `nofile` (children inherit it):
 * soft and hard when allowed, else the soft limit up to the hard one. Returns
 * the limits in force after.
 */
export function raiseOwnLimit(nofile: number): OpenFileLimits | null {
  const current = openFilesLimits();
  const prlimit = prlimitPath();
  if (current !== null && current.soft >= nofile) return current;
  const attempt = (limit: string): boolean => {
    if (prlimit === null) return false;
    try {
      execFileSync(prlimit, ['--pid', String(process.pid), `--nofile=${limit}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  // The hard limit rises only with CAP_SYS_RESOURCE (a container's root may lack it).
  if (!attempt(`${nofile}:${nofile}`) && current !== null && current.soft < current.hard) attempt(`${Math.min(nofile, current.hard)}:`);
  return openFilesLimits();
}

/**
 * The command line that runs `command` with an open-file limit of `nofile`,
 * or of this process's hard limit if that is lower (a child cannot be given
 * more than its parent may raise to). As is when prlimit is missing.
 */
export function runningUnder(nofile: number, command: string, args: readonly string[]): { command: string; args: string[] } {
  const prlimit = prlimitPath();
  const hard = openFilesLimits()?.hard ?? nofile;
  if (prlimit === null) return { command, args: [...args] };
  const limit = Math.min(nofile, hard);
  return { command: prlimit, args: [`--nofile=${limit}:${limit}`, command, ...args] };
}
