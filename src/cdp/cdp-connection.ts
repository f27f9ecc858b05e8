/**
 * One WebSocket to a browser's DevTools endpoint, speaking the DevTools
 * protocol: commands with ids and their answers, events with the session
 * they belong to (flattened sessions: every attached target shares this
 * socket, told apart by `sessionId`).
 *
 *   send(method, params, sessionId?) ──▶ {"id", "method", "params", "sessionId"} ──▶ browser
 *   browser ──▶ {"id", "result" | "error"} ──▶ the send's promise
 *           └─▶ {"method", "params", "sessionId"} ──▶ onEvent
 */
import { JarsyncError } from '../errors.ts';

/** A command the browser does not answer within this is failed (the browser is hung, or gone without a close). */
const COMMAND_TIMEOUT_MS = 10_000;

export interface CdpEvent {
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly sessionId: string | undefined;
}

interface Pending {
  readonly resolve: (result: Record<string, unknown>) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class CdpConnection {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;
  readonly closed: Promise<string>;

  private constructor(socket: WebSocket, onEvent: (event: CdpEvent) => void) {
    this.#socket = socket;
    this.closed = new Promise((resolve) => {
      socket.addEventListener('close', (event) => {
        this.#closed = true;
        const reason = `the DevTools connection closed (${event.code}${event.reason === '' ? '' : `: ${event.reason}`})`;
        for (const [id, pending] of this.#pending) {
          clearTimeout(pending.timer);
          pending.reject(new JarsyncError('JARSYNC_ERR_CDP', reason));
          this.#pending.delete(id);
        }
        resolve(reason);
      });
    });
    socket.addEventListener('message', (event) => {
      this.#receive(event.data, onEvent);
    });
  }

  /** Opens the socket; JARSYNC_ERR_CDP when it cannot be opened within the command timeout. */
  static open(url: string, onEvent: (event: CdpEvent) => void): Promise<CdpConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const timer = setTimeout(() => {
        socket.close();
        reject(new JarsyncError('JARSYNC_ERR_CDP', `The DevTools endpoint ${url} did not open within ${COMMAND_TIMEOUT_MS} ms.`));
      }, COMMAND_TIMEOUT_MS);
      const connection = new CdpConnection(socket, onEvent);
      socket.addEventListener('open', () => {
        clearTimeout(timer);
        resolve(connection);
      });
      socket.addEventListener('error', () => {
        clearTimeout(timer);
        reject(new JarsyncError('JARSYNC_ERR_CDP', `Cannot open the DevTools endpoint ${url}.`));
      });
    });
  }

  /** Sends a command (to a target's session when `sessionId` is given) and resolves to its result. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.#closed) return Promise.reject(new JarsyncError('JARSYNC_ERR_CDP', 'The DevTools connection is closed.'));
    const id = this.#nextId;
    this.#nextId += 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new JarsyncError('JARSYNC_ERR_CDP', `The browser did not answer ${method} within ${COMMAND_TIMEOUT_MS} ms.`));
      }, COMMAND_TIMEOUT_MS);
      this.#pending.set(id, { resolve, reject, timer });
      this.#socket.send(JSON.stringify(sessionId === undefined ? { id, method, params } : { id, method, params, sessionId }));
    });
  }

  close(): void {
    this.#socket.close();
  }

  #receive(data: unknown, onEvent: (event: CdpEvent) => void): void {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const { id, result, error, method, params, sessionId } = message as Record<string, unknown>;
    if (typeof id === 'number') {
      const pending = this.#pending.get(id);
      if (pending === undefined) return;
      this.#pending.delete(id);
      clearTimeout(pending.timer);
      if (typeof error === 'object' && error !== null) {
        const text = (error as Record<string, unknown>)['message'];
        pending.reject(new JarsyncError('JARSYNC_ERR_CDP', `The browser refused the command: ${typeof text === 'string' ? text : JSON.stringify(error)}`));
      } else {
        pending.resolve(typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {});
      }
      return;
    }
    if (typeof method === 'string') {
      onEvent({
        method,
        params: typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : {},
        sessionId: typeof sessionId === 'string' ? sessionId : undefined,
      });
    }
  }
}
