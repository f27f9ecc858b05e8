/**
 * The part of http-mitm-proxy's API the bench's peer process uses. Declared
 * here, not taken from the package, so that the project type-checks on a
 * machine where bench/node_modules is not installed (the peer is a
 * comparison-only dependency, installed by bench/setup.sh).
 */
declare module 'http-mitm-proxy' {
  import type http from 'node:http';
  import type https from 'node:https';

  export interface IProxyOptions {
    port?: number;
    host?: string;
    sslCaDir?: string;
    keepAlive?: boolean;
    httpAgent?: http.Agent;
    httpsAgent?: https.Agent;
  }

  export interface IContext {
    isSSL: boolean;
    clientToProxyRequest: http.IncomingMessage;
    serverToProxyResponse: http.IncomingMessage | undefined;
  }

  export type ErrorCallback = (error?: Error | null) => void;

  export class Proxy {
    httpPort: number;
    listen(options?: IProxyOptions, callback?: (error?: Error) => void): this;
    close(): void;
    onResponse(handler: (ctx: IContext, callback: ErrorCallback) => void): void;
    onError(handler: (ctx: IContext | null, error?: Error | null, kind?: string) => void): void;
  }
}
