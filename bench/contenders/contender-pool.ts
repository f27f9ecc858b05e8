/**
 * Contenders kept running from one scenario to the next, so that a run does
 * not spend its time starting proxies: each is started the first time a
 * scenario asks for it and stopped at the end of the run. One that broke in a
 * scenario is discarded and started afresh by the next. Scenarios that must
 * see a new process (memory) start their own instead.
 */
import type { Contender, ContenderContext, ContenderName, RunningContender } from './contender.ts';

export class ContenderPool {
  readonly #context: ContenderContext;
  readonly #running = new Map<ContenderName, RunningContender>();

  constructor(context: ContenderContext) {
    this.#context = context;
  }

  async get(contender: Contender): Promise<RunningContender> {
    const known = this.#running.get(contender.name);
    if (known !== undefined && alive(known)) return known;
    if (known !== undefined) await this.discard(contender.name);
    const running = await contender.start(this.#context);
    this.#running.set(contender.name, running);
    return running;
  }

  /** Stops a contender that misbehaved; the next `get` starts a new one. */
  async discard(name: ContenderName): Promise<void> {
    const running = this.#running.get(name);
    this.#running.delete(name);
    await running?.stop();
  }

  async close(): Promise<void> {
    const all = [...this.#running.values()];
    this.#running.clear();
    for (const running of all) await running.stop();
  }
}

function alive(running: RunningContender): boolean {
  if (running.pid === null) return true;
  try {
    process.kill(running.pid, 0);
    return true;
  } catch {
    return false;
  }
}
