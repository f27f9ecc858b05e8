/**
 * One measured load run: the load itself, and the CPU time the proxy, the
 * origin and the client spent inside its window, read from /proc at the
 * window's edges (the hooks every load driver calls).
 *
 * CPU per request is the figure to read first: requests/s on a shared 2-core
 * machine moves with whatever else runs, CPU time per request much less.
 */
import type { RunningContender } from '../contenders/contender.ts';
import type { LoadResult, WindowHooks } from '../load/load-result.ts';
import type { Origin } from '../origin/origin.ts';
import { processCpuMicros, processTreeCpuMicros } from '../process/proc-stat.ts';

export interface Measurement {
  readonly load: LoadResult;
  readonly requestsPerSecond: number;
  readonly proxyCpuMicrosPerRequest: number | null;
  readonly originCpuMicrosPerRequest: number | null;
  readonly clientCpuMicrosPerRequest: number | null;
  /** The proxy's CPU time over the window's wall time: 1.0 is one core kept busy. */
  readonly proxyCores: number | null;
}

interface Snapshot {
  readonly proxy: number | null;
  readonly origin: number | null;
  readonly client: number;
}

function snapshot(contender: RunningContender, origin: Origin): Snapshot {
  const usage = process.cpuUsage();
  return {
    proxy: contender.pid === null ? null : processCpuMicros(contender.pid),
    origin: origin.pid === null ? null : processTreeCpuMicros(origin.pid),
    client: usage.user + usage.system,
  };
}

export interface MeasureOptions {
  /** Whether the load runs in this process, so that its CPU is the client's. Defaults to true (false for hey). */
  readonly clientInProcess?: boolean;
}

export async function measure(
  contender: RunningContender,
  origin: Origin,
  run: (hooks: WindowHooks) => Promise<LoadResult>,
  options: MeasureOptions = {},
): Promise<Measurement> {
  let before: Snapshot | null = null;
  let after: Snapshot | null = null;
  const load = await run({
    onStart: () => {
      before = snapshot(contender, origin);
    },
    onEnd: () => {
      after = snapshot(contender, origin);
    },
  });
  const start = before as Snapshot | null;
  const end = after as Snapshot | null;
  const perRequest = (from: number | null | undefined, to: number | null | undefined): number | null =>
    from === null || from === undefined || to === null || to === undefined || load.requests === 0 ? null : (to - from) / load.requests;
  const proxyMicros = start?.proxy !== null && start?.proxy !== undefined && end?.proxy !== null && end?.proxy !== undefined ? end.proxy - start.proxy : null;
  return {
    load,
    requestsPerSecond: load.seconds > 0 ? load.requests / load.seconds : 0,
    proxyCpuMicrosPerRequest: perRequest(start?.proxy, end?.proxy),
    originCpuMicrosPerRequest: perRequest(start?.origin, end?.origin),
    clientCpuMicrosPerRequest: options.clientInProcess === false ? null : perRequest(start?.client, end?.client),
    proxyCores: proxyMicros === null || load.seconds <= 0 ? null : proxyMicros / (load.seconds * 1_000_000),
  };
}
