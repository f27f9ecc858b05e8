/**
 * `jarsync cookies`: the persisted jar, read straight from its file. SQLite's
 * WAL mode lets this read run beside a proxy that is writing, and a read-only
 * connection can never take the writer's lock. The output is written by
 * src/formats/export-format.ts, as the admin API's /api/cookies/export writes it.
 */
import { jarPath } from '../data-dir.ts';
import { exportCookies } from '../formats/export-format.ts';
import { ReadJar } from '../store/read-jar.ts';
import { SqliteJarStore } from '../store/sqlite-jar-store.ts';
import type { CliIo } from './cli-io.ts';
import type { CookiesCommand } from './parse-args.ts';

export async function runCookies(command: CookiesCommand, io: CliIo): Promise<number> {
  const store = SqliteJarStore.open(jarPath(command.dataDir), { readOnly: true });
  let jar: ReadJar;
  try {
    jar = await ReadJar.open(store);
  } finally {
    await store.close();
  }
  io.stdout(exportCookies(command.format, await jar.cookies(command.filter)).text);
  return 0;
}
