/**
 * The part of autocannon's API the bench uses (the package ships no types).
 * Latencies are taken from its `response` event, in fractional ms, rather
 * than from its histogram, which keeps whole milliseconds.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  export interface AutocannonRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
  }

  export interface AutocannonOptions {
    url: string;
    connections?: number;
    /** Seconds; fractions allowed. */
    duration?: number;
    /** Total requests; replaces `duration`. */
    amount?: number;
    /** Seconds a request may take. */
    timeout?: number;
    /** ms between its samples; it notices the end of `duration` only at one. */
    sampleInt?: number;
    requests?: AutocannonRequest[];
  }

  export interface AutocannonResult {
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
  }

  export interface AutocannonInstance extends EventEmitter {
    on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): this;
    on(event: 'reqError', listener: (error: Error) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    stop(): void;
  }

  function autocannon(options: AutocannonOptions, callback: (error: Error | null, result: AutocannonResult) => void): AutocannonInstance;
  export default autocannon;
}
