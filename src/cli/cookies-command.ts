/**
 * `jarsync cookies`: the persisted jar, read straight from its file. SQLite's
 * WAL mode lets this read run beside a proxy that is writing, and a read-only
 * connection can never take the writer's lock.
 */
import { jarPath } from '../data-dir.ts';
import { toCookieHeader } from '../formats/cookie-header.ts';
import { toNetscape } from '../formats/netscape.ts';
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
  const cookies = await jar.cookies(command.filter);
  switch (command.format) {
    case 'json':
      io.stdout(`${JSON.stringify(cookies, null, 2)}\n`);
      break;
    case 'netscape':
      io.stdout(toNetscape(cookies));
      break;
    case 'header':
      io.stdout(`${toCookieHeader(cookies)}\n`);
      break;
  }
  return 0;
}
