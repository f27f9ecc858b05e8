/** The machine a run was taken on, and how busy it was: numbers from a shared machine are read with that in mind. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  /** 1-minute load average at the start and at the end of the run. */
  readonly loadAverage: readonly [number, number];
}

export function describeMachine(loadAtStart: number): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
    if (model !== undefined) cpu = model;
  } catch {
    // os.cpus() said enough.
  }
  return {
    cpu,
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    loadAverage: [round2(loadAtStart), round2(os.loadavg()[0] ?? Number.NaN)],
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
