/**
 * What the kernel knows of a process, read from /proc: the CPU time of every
 * thread it has run (live or exited), and its resident memory.
 *
 * CPU per request is measured this way for every contender alike (jarsync's
 * worker threads, Node peers, Python's mitmdump, nginx): `utime + stime` of
 * /proc/<pid>/stat is the whole thread group's, so no thread is missed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU counters (USER_HZ); 100 on every Linux we run on, asked once. */
const TICKS_PER_SECOND = ((): number => {
  try {
    const value = Number.parseInt(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(), 10);
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) of a process and all its threads, in µs; null once it is gone. */
export function processCpuMicros(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return ((utime + stime) * 1_000_000) / TICKS_PER_SECOND;
}

/** CPU time of a process and of its direct children (nginx's master and its workers), in µs. */
export function processTreeCpuMicros(pid: number): number | null {
  const own = processCpuMicros(pid);
  if (own === null) return null;
  let total = own;
  for (const child of childPids(pid)) total += processCpuMicros(child) ?? 0;
  return total;
}

/** Resident set size of a process, in bytes; null once it is gone. */
export function processRssBytes(pid: number): number | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match?.[1] === undefined ? null : Number(match[1]) * 1024;
}

function childPids(pid: number): number[] {
  const children: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return children;
  }
  for (const task of tasks) {
    try {
      for (const word of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ')) {
        const child = Number.parseInt(word, 10);
        if (Number.isInteger(child)) children.push(child);
      }
    } catch {
      // A thread that ended between readdir and read has no children left to count.
    }
  }
  return children;
}
