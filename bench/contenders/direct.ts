/** The baseline: the client talks to the origin itself, no proxy in between. */
import type { Contender } from './contender.ts';

export const direct: Contender = {
  name: 'direct',
  description: 'no proxy: the client connects to the origin itself',
  unavailable: () => null,
  start: (context) =>
    Promise.resolve({
      name: 'direct',
      proxy: null,
      caPems: [context.origin.caPem],
      pid: null,
      mints: () => Promise.resolve(null),
      stop: () => Promise.resolve(),
    }),
};
