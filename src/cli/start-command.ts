/**
 * `jarsync start`: runs a supervisor until a signal.
 *
 *   createSupervisor ─▶ start() ─▶ print addresses ─▶ … ─SIGINT/SIGTERM─▶ close() ─▶ 0
 *                                                          ─second signal─▶ destroy() ─▶ 1
 *
 * The addresses go to stdout, one `name: value` per line, so that scripts can
 * read them (a `--port 0` start tells its port this way); notices go to stderr.
 * Among them is the dashboard's link, with the admin token in it: the page
 * trades it for a session cookie at once (README: Dashboard). The admin API's
 * address is also left in the data dir (admin-address-file.ts) for `jarsync wait`.
 */
import { createSupervisor } from '../supervisor/supervisor.ts';
import type { SupervisorAddresses } from '../supervisor/supervisor-api.ts';
import { readFile } from 'node:fs/promises';
import { removeAdminAddress, writeAdminAddress } from './admin-address-file.ts';
import type { CliIo } from './cli-io.ts';
import type { StartCommand } from './parse-args.ts';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * How long a second signal waits for destroy() before the process exits
 * anyway: whoever sends it twice wants the process gone, not a clean stop.
 */
export const DESTROY_WAIT_MS = 2_000;

/**
 * Resolves with the exit code once the supervisor has stopped. A failure to
 * start (a port in use) rejects with the supervisor's error.
 */
export async function runStart(command: StartCommand, io: CliIo): Promise<number> {
  const supervisor = createSupervisor(command.options);
  const starting = supervisor.start();
  let signals = 0;
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      signals += 1;
      if (signals === 1) {
        io.stderr(`jarsync: ${signal}: closing (finishing requests in flight, saving the jar); send it again to stop at once\n`);
        // A signal during start() waits for it: closing a half-started supervisor would race its start.
        void starting
          .catch(() => undefined)
          .then(() => supervisor.close())
          .then(
            () => {
              // A second signal cut the drain short: that stop was not a clean one.
              resolve(signals > 1 ? 1 : 0);
            },
            (error: unknown) => {
              io.stderr(`jarsync: closing failed: ${messageOf(error)}\n`);
              resolve(1);
            },
          );
        return;
      }
      io.stderr(`jarsync: ${signal} again: stopping at once\n`);
      const timer = setTimeout(() => {
        io.stderr(`jarsync: not stopped after ${DESTROY_WAIT_MS} ms; exiting anyway\n`);
        resolve(1);
      }, DESTROY_WAIT_MS);
      void supervisor
        .destroy()
        .catch((error: unknown) => {
          io.stderr(`jarsync: stopping failed: ${messageOf(error)}\n`);
        })
        .finally(() => {
          clearTimeout(timer);
          resolve(1);
        });
    };
    for (const signal of SIGNALS) process.on(signal, onSignal);
    // A failed start ends the command; the handlers must not outlive it.
    starting.catch(() => {
      if (signals === 0) for (const signal of SIGNALS) process.off(signal, onSignal);
    });
  });

  let addresses: SupervisorAddresses;
  try {
    addresses = await starting;
  } catch (error) {
    if (signals > 0) return stopped;
    throw error;
  }
  const token = (await readFile(addresses.adminTokenPath, 'utf8')).trim();
  io.stdout(addressLines(addresses, supervisor.domains().map((rule) => rule.spec), token));
  if (!supervisor.syncing) io.stderr('jarsync: syncing is stopped (--no-sync); POST /api/sync/start on the admin API starts it\n');
  const admin = addresses.admin;
  if (admin === null) return stopped;
  try {
    await writeAdminAddress(addresses.dataDir, { url: `http://${hostForUrl(admin.host)}:${admin.port}`, pid: process.pid });
  } catch (error) {
    io.stderr(`jarsync: cannot write the admin API's address for jarsync wait: ${messageOf(error)}\n`);
  }
  const code = await stopped;
  await removeAdminAddress(addresses.dataDir, process.pid).catch(() => undefined);
  return code;
}

/** The lines `start` prints, in a fixed order. */
export function addressLines(addresses: SupervisorAddresses, domains: readonly string[], token: string): string {
  const { proxy, admin } = addresses;
  const adminUrl = admin === null ? null : `http://${hostForUrl(admin.host)}:${admin.port}`;
  return [
    `proxy: http://${hostForUrl(proxy.host)}:${proxy.port}`,
    `admin: ${adminUrl ?? 'off'}`,
    `dashboard: ${adminUrl === null ? 'off' : `${adminUrl}/?token=${encodeURIComponent(token)}`}`,
    `ca: ${addresses.caCertPath}`,
    `token: ${addresses.adminTokenPath}`,
    `data: ${addresses.dataDir}`,
    `domains: ${domains.length === 0 ? 'none' : domains.join(', ')}`,
    `pairing: ${addresses.pairingCode}`,
    '',
  ].join('\n');
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
