/**
 * The origin's nginx configuration, written for each run because it names
 * the ports picked free for that run. One worker process: nginx answers this
 * response in a few µs of CPU, so one worker is far from being the
 * bottleneck, and the second core stays for the client and the proxy.
 *
 * Every response (plain and TLS, any path, any `*.bench.test` name):
 *
 *   HTTP/1.1 200 OK
 *   Content-Type: text/plain
 *   Content-Length: 21
 *   Set-Cookie: sid=<32 hex, new each response>; Domain=bench.test; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax
 *   Set-Cookie: theme=dark; Path=/
 *
 *   jarsync bench origin
 *
 * The first cookie changes with every response (a rotating session token:
 * the jar writes each time over https; over plain http a browser, and so
 * the jar, refuses it for its Secure flag); the second repeats (what most
 * responses carry: nothing changes, nothing is written).
 */
export interface NginxConfigInput {
  /** Directory for the pid file, logs and temporary files. */
  readonly dir: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly certFile: string;
  readonly keyFile: string;
  /** Connections each worker may hold: the idle-connection scenario holds 10,000 directly. */
  readonly workerConnections?: number;
}

export const ORIGIN_BODY = 'jarsync bench origin\n';

export function nginxConfig(input: NginxConfigInput): string {
  const connections = input.workerConnections ?? 16_384;
  return `# Written by jarsync's bench runner for one run; removed with it.
daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile ${connections + 1_024};
pid ${input.dir}/nginx.pid;
error_log ${input.dir}/error.log warn;

events {
  worker_connections ${connections};
  multi_accept on;
}

http {
  access_log off;
  server_tokens off;
  client_body_temp_path ${input.dir}/client-body;
  proxy_temp_path ${input.dir}/proxy;
  fastcgi_temp_path ${input.dir}/fastcgi;
  uwsgi_temp_path ${input.dir}/uwsgi;
  scgi_temp_path ${input.dir}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  # Full handshakes every time: proxies and clients are measured on them.
  ssl_session_cache off;
  ssl_session_tickets off;
  ssl_protocols TLSv1.2 TLSv1.3;

  server {
    listen 127.0.0.1:${input.httpPort} reuseport backlog=4096;
    listen 127.0.0.1:${input.httpsPort} ssl reuseport backlog=4096;
    server_name _;
    ssl_certificate ${input.certFile};
    ssl_certificate_key ${input.keyFile};

    location / {
      default_type text/plain;
      add_header Set-Cookie "sid=$request_id; Domain=bench.test; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax" always;
      add_header Set-Cookie "theme=dark; Path=/" always;
      return 200 ${JSON.stringify(ORIGIN_BODY)};
    }
  }
}
`;
}
