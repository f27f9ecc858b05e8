/**
 * What `jarsync --help` and `jarsync <command> --help` print, and the one-line
 * usage printed after a bad flag.
 */
import {
  DEFAULT_BACKLOG_CAPACITY,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
  DEFAULT_MAX_HEADER_SIZE,
  DEFAULT_PROXY_PORT,
} from '../options.ts';
import { CERT_CACHE_MAX_HOSTS } from '../tls/cert-policy.ts';
import type { CommandName } from './parse-args.ts';

export const USAGE_LINES: Readonly<Record<CommandName | 'jarsync', string>> = {
  jarsync: 'usage: jarsync <start|cookies|wait|ca> [flags]   (jarsync --help; jarsync <command> --help)',
  start: 'usage: jarsync start [--port N] [--domain D]… [--data-dir DIR] [flags]   (jarsync start --help)',
  cookies: 'usage: jarsync cookies [--data-dir DIR] [--url U] [--domain D] [--format netscape|json|storage-state|header]',
  wait: 'usage: jarsync wait --domain D --name N [--timeout S] [--changed-since T] [--data-dir DIR]',
  ca: 'usage: jarsync ca [--data-dir DIR] [--pem]',
};

const OVERVIEW = `jarsync: a proxy that captures every cookie of the domains you name into one durable jar.

usage: jarsync <command> [flags]

commands:
  start     run the proxy and its admin API
  cookies   print the cookies of a data dir's jar (whether or not the proxy runs)
  wait      wait until the running jarsync holds a cookie, and print it
  ca        print the CA certificate devices must trust (created if there is none)

  jarsync <command> --help    the flags of a command
  jarsync --version           the version
`;

const DATA_DIR = `  --data-dir DIR        where the CA, the admin token and the jar live
                        (default: $JARSYNC_HOME, else ~/.jarsync)`;

const HELP: Readonly<Record<CommandName, string>> = {
  start: `usage: jarsync start [flags]

Runs the proxy. Point a device or browser at it as its HTTP and HTTPS proxy and
trust the CA (jarsync ca); the cookies of the domains to sync are captured.

  --port N              proxy port; 0 picks a free one (default: ${DEFAULT_PROXY_PORT})
  --host H              address the proxy listens on (default: 127.0.0.1; 0.0.0.0 for devices on the network)
  --domain D            a domain to sync; repeat for more. example.com covers its subdomains;
                        https://example.com exactly that host over https (default: none)
${DATA_DIR}
  --admin-port N        admin API port, always on 127.0.0.1 (default: --port + 1)
  --workers N           connection worker threads (default: the machine's available parallelism)
  --ca-file F           a PEM file of extra roots to trust upstream; repeatable
  --insecure-upstream   do not verify upstream certificates (dangerous; for testing only)
  --resolve P=ADDR      send hosts matching P to ADDR, like curl's --resolve (*.test=127.0.0.1); repeatable
  --no-sync             start with syncing stopped (nothing decrypted or recorded until started)
  --no-persist          keep the jar in memory only
  --leaf-key ec|rsa     the type of the key of every minted certificate (default: ec, P-256)
  --cdp URL             also sync the cookies of a running Chromium or Chrome over the DevTools
                        protocol: its endpoint, http://127.0.0.1:9222 (--remote-debugging-port)
                        (default: none)

Who may use the proxy (bound to anything but loopback, --allow or --auth[-file] is required):
  --allow CIDR          client addresses that may connect: 192.168.1.0/24, fd00::/8, or one
                        address; repeatable. Others are closed unanswered. Loopback is not
                        implied (default: any address)
  --auth USER:PASSWORD  credentials a device sends as Proxy-Authorization: Basic (else 407);
                        repeatable, one per device. USER names the device on its cookie events
                        (client: USER@address:port) (default: none asked)
  --auth-file F         the same, one USER:PASSWORD per line (# comments): unlike --auth,
                        it keeps passwords out of the process list

Limits (each answered with a status and a one-line text):
  --max-header-size BYTES       request line + headers, plain or decrypted; beyond: 431
                                (default: ${DEFAULT_MAX_HEADER_SIZE})
  --headers-timeout MS          time to send a whole request head; then 408 (default: ${DEFAULT_HEADERS_TIMEOUT_MS})
  --idle-timeout MS             an idle connection, or a request stalled on its client, is
                                closed (408 if it can still be answered) (default: 60000)
  --upstream-connect-timeout MS     connecting to an origin (TCP + TLS); then 504 (default: 10000)
  --upstream-response-timeout MS    an origin's response head; then 504 (default: 120000)
  --max-connections N           client connections at once, all workers; beyond: 503
                                with Retry-After (default: ${DEFAULT_MAX_CONNECTIONS})
  --max-connections-per-client N    per client address, per worker thread; 0: no cap; beyond: 503
                                (default: ${DEFAULT_MAX_CONNECTIONS_PER_CLIENT} when bound beyond loopback, else 0)
  --max-certificates N          hosts whose certificates are kept; the least recently used
                                goes first (default: ${CERT_CACHE_MAX_HOSTS})

The jar's back-pressure (README: what the jar keeps):
  --mailbox-capacity N          cookie events the jar's mailbox holds (default: 100000)
  --backlog-capacity N          events kept in order behind a full mailbox; beyond, events
                                are lost, counted and logged (default: ${DEFAULT_BACKLOG_CAPACITY})
  --hold-high-water N           backlog at which new requests to synced origins wait (up to
                                --upstream-response-timeout, then 503) (default: half the backlog capacity)
  --hold-low-water N            backlog at or under which they go on (default: a tenth of it)

It prints its addresses, the dashboard's link (open it in a browser on this
machine), the CA and token paths, the code that pairs the browser extension
(pairing: XXXX-XXXX), and runs until SIGINT or SIGTERM (Ctrl-C),
then closes in order; a second signal stops it at once.
`,
  cookies: `usage: jarsync cookies [flags]

Prints the cookies of the data dir's jar. It reads the jar's file, so it works
whether or not the proxy runs (changes reach the file within about 50 ms).

${DATA_DIR}
  --url U               only the cookies a browser would send to U
  --domain D            only the cookies of D and its subdomains
  --format F            how to print them (default: json):
                          json           tough-cookie JSON, one object per cookie
                          netscape       a cookies.txt file, as curl -b and wget --load-cookies read it
                          storage-state  Playwright's storageState (browser.newContext({ storageState }))
                          header         the Cookie header for --url (which it needs)
  --json, --netscape, --header          the same as --format json, netscape, header
`,
  wait: `usage: jarsync wait [flags]

Waits until the running jarsync (the one started with this data dir) holds a
cookie named N under domain D, then prints it as JSON and exits 0. It answers
at once if the jar holds one already (changed after --changed-since, if given).
Exits 1 if none comes within --timeout, 2 for a bad flag.

  --domain D            the cookie's domain: D or a subdomain of it (required)
  --name N              the cookie's name (required)
  --timeout S           seconds to wait, decimals allowed (default: 30)
  --changed-since T     only a cookie changed after T: ms since the epoch or an ISO 8601
                        time such as 2026-01-31T12:00:00Z (default: any time)
${DATA_DIR}
`,
  ca: `usage: jarsync ca [flags]

Prints the path of the data dir's CA certificate (creating the CA if there is
none yet) and, on stderr, its SHA-256 fingerprint to compare on devices.

${DATA_DIR}
  --pem                 print the certificate itself instead of its path
`,
};

/** The help text for a command, or the overview. */
export function helpText(topic: CommandName | null): string {
  return topic === null ? OVERVIEW : HELP[topic];
}
