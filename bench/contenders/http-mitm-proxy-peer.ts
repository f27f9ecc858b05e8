/**
 * http-mitm-proxy as a contender, in a process of its own: the proxy with an
 * onResponse hook that feeds every Set-Cookie of a synced host into a
 * tough-cookie jar (the same library, and so the same RFC 6265 rules, as
 * jarsync's jar), the way a user of that library would capture cookies.
 *
 *   client ──▶ http-mitm-proxy ──onResponse──▶ CookieJar.setCookie (in memory)
 *                    └── keep-alive agents ──▶ origin (names mapped to loopback, origin CA verified)
 *
 * Configured by environment (the runner starts it): BENCH_PORT (0: any),
 * BENCH_SSL_CA_DIR (its CA and per-host certificates), BENCH_ORIGIN_CA (a PEM
 * file), BENCH_RESOLVE (`*.suffix=ADDRESS`), BENCH_DOMAIN (the synced domain).
 * Prints `listening <port>` when ready; stops on SIGTERM.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { readFileSync } from 'node:fs';
import { Proxy } from 'http-mitm-proxy';
import { CookieJar } from 'tough-cookie';

const env = process.env;
const [pattern = '', address = '127.0.0.1'] = (env['BENCH_RESOLVE'] ?? '').split('=');
const suffix = pattern.startsWith('*.') ? pattern.slice(1) : `.${pattern}`;
const domain = (env['BENCH_DOMAIN'] ?? '').toLowerCase();

const mapped = (host: string): boolean => host === suffix.slice(1) || host.endsWith(suffix);

/** The bench's names go to `address`; every other name to the system resolver (there are none in a run). */
const lookup: LookupFunction = (hostname, options, callback) => {
  if (!mapped(hostname.toLowerCase())) {
    dns.lookup(hostname, options, callback);
    return;
  }
  const family = address.includes(':') ? 6 : 4;
  if (options.all === true) callback(null, [{ address, family }]);
  else callback(null, address, family);
};

const agentOptions = { keepAlive: true, maxSockets: Infinity, lookup };
const jar = new CookieJar();
let captured = 0;

const synced = (host: string): boolean => domain !== '' && (host === domain || host.endsWith(`.${domain}`));

// Logging every certificate and server it creates costs CPU jarsync does not spend.
console.debug = () => undefined;

const proxy = new Proxy();
proxy.onError((_ctx, error, kind) => {
  // Client resets at the end of a load run are expected; anything else is worth a line.
  if (error !== null && error !== undefined && !/ECONNRESET|EPIPE/.test(error.message)) {
    process.stderr.write(`http-mitm-proxy ${kind ?? 'error'}: ${error.message}\n`);
  }
});
proxy.onResponse((ctx, callback) => {
  const request = ctx.clientToProxyRequest;
  const response = ctx.serverToProxyResponse;
  const host = (request.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const lines = response?.headers['set-cookie'];
  if (lines !== undefined && synced(host)) {
    const url = `${ctx.isSSL ? 'https' : 'http'}://${request.headers.host ?? host}${request.url ?? '/'}`;
    for (const line of lines) {
      jar.setCookie(line, url, { ignoreError: true }).then(
        () => {
          captured += 1;
        },
        () => undefined,
      );
    }
  }
  callback();
});

proxy.listen(
  {
    host: '127.0.0.1',
    port: Number(env['BENCH_PORT'] ?? '0'),
    sslCaDir: env['BENCH_SSL_CA_DIR'] ?? '',
    keepAlive: true,
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent({ ...agentOptions, ca: readFileSync(env['BENCH_ORIGIN_CA'] ?? '', 'utf8') }),
  },
  (error) => {
    if (error !== undefined) {
      process.stderr.write(`http-mitm-proxy: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`listening ${proxy.httpPort}\n`);
  },
);

process.once('SIGTERM', () => {
  process.stderr.write(`http-mitm-proxy: ${captured} cookies captured\n`);
  proxy.close();
  // Its per-host TLS servers and keep-alive sockets would hold the loop open for minutes.
  process.exit(0);
});
