import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NETSCAPE_HEADER, toNetscape } from '../../src/formats/netscape.ts';
import type { SerializedCookie } from '../../src/store/jar-store.ts';

const run = promisify(execFile);
const FUTURE = '2099-01-01T00:00:00.900Z';
const FUTURE_SECONDS = Math.floor(Date.parse(FUTURE) / 1000);

const COOKIES: SerializedCookie[] = [
  { key: 'host', value: 'h1', domain: 'app.jarsync.test', path: '/', hostOnly: true },
  { key: 'dom', value: 'd1', domain: 'jarsync.test', path: '/', hostOnly: false, expires: FUTURE },
  { key: 'ho', value: 'x1', domain: 'app.jarsync.test', path: '/', hostOnly: true, httpOnly: true, expires: FUTURE },
  { key: 'deep', value: 'p1', domain: 'app.jarsync.test', path: '/deep', hostOnly: true },
  { key: 'sec', value: 's1', domain: 'app.jarsync.test', path: '/', hostOnly: true, secure: true },
  { key: 'other', value: 'o1', domain: 'other.jarsync.test', path: '/', hostOnly: true },
  { key: 'old', value: 'gone', domain: 'app.jarsync.test', path: '/', hostOnly: true, expires: '2001-01-01T00:00:00.000Z' },
  { key: 'ip', value: 'i1', domain: '127.0.0.1', path: '/', hostOnly: true },
];

describe('toNetscape', () => {
  it('writes the header, then one tab-separated line per cookie', () => {
    const lines = toNetscape(COOKIES).split('\n');
    expect(lines[0]).toBe(NETSCAPE_HEADER);
    expect(lines.filter((line) => line !== '' && !line.startsWith('# '))).toEqual([
      'app.jarsync.test\tFALSE\t/\tFALSE\t0\thost\th1',
      `.jarsync.test\tTRUE\t/\tFALSE\t${FUTURE_SECONDS}\tdom\td1`,
      `#HttpOnly_app.jarsync.test\tFALSE\t/\tFALSE\t${FUTURE_SECONDS}\tho\tx1`,
      'app.jarsync.test\tFALSE\t/deep\tFALSE\t0\tdeep\tp1',
      'app.jarsync.test\tFALSE\t/\tTRUE\t0\tsec\ts1',
      'other.jarsync.test\tFALSE\t/\tFALSE\t0\tother\to1',
      'app.jarsync.test\tFALSE\t/\tFALSE\t978307200\told\tgone',
      '127.0.0.1\tFALSE\t/\tFALSE\t0\tip\ti1',
    ]);
    expect(toNetscape(COOKIES).endsWith('\n')).toBe(true);
  });

  it('leaves out a cookie a tab or newline would split', () => {
    const broken: SerializedCookie[] = [
      { key: 'tab', value: 'a\tb', domain: 'example.com', path: '/', hostOnly: true },
      { key: 'newline', value: 'a\nb', domain: 'example.com', path: '/', hostOnly: true },
      { key: 'fine', value: 'ok', domain: 'example.com', path: '/', hostOnly: true },
    ];
    expect(toNetscape(broken).split('\n').filter((line) => line.includes('example.com'))).toEqual(['example.com\tFALSE\t/\tFALSE\t0\tfine\tok']);
  });
});

describe('toNetscape, read by curl -b', () => {
  let server: Server;
  let port: number;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.end(request.headers.cookie ?? '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    dir = mkdtempSync(join(tmpdir(), 'jarsync-netscape-'));
    file = join(dir, 'cookies.txt');
    writeFileSync(file, toNetscape(COOKIES));
  });

  afterAll(async () => {
    await new Promise<void>((resolve, reject) => {
      server.close((error) => {
        if (error === undefined) resolve();
        else reject(error);
      });
    });
    rmSync(dir, { recursive: true, force: true });
  });

  /** The Cookie header curl sends to `url`, its pairs sorted (curl orders them its own way). */
  async function sentBy(url: string): Promise<string[]> {
    const host = new URL(url).hostname;
    const resolve = host === '127.0.0.1' ? [] : ['--resolve', `${host}:${port}:127.0.0.1`];
    const { stdout } = await run('curl', ['--silent', '--show-error', '--max-time', '10', '-b', file, ...resolve, url]);
    return stdout === '' ? [] : stdout.split('; ').sort();
  }

  it.each([
    { what: 'a host-only, a domain and an HttpOnly cookie to their host', target: 'app.jarsync.test', expected: ['dom=d1', 'ho=x1', 'host=h1'] },
    { what: 'a path cookie below its path', target: 'app.jarsync.test/deep/page', expected: ['deep=p1', 'dom=d1', 'ho=x1', 'host=h1'] },
    { what: 'only the domain cookie to a sibling host', target: 'api.jarsync.test', expected: ['dom=d1'] },
    { what: 'a host-only cookie to its own host only', target: 'other.jarsync.test', expected: ['dom=d1', 'other=o1'] },
  ])('curl sends $what', async ({ target, expected }) => {
    const [host = '', ...rest] = target.split('/');
    expect(await sentBy(`http://${host}:${port}/${rest.join('/')}`)).toEqual(expected);
  });

  it('curl sends a host-only cookie for 127.0.0.1 to http://127.0.0.1:<port>/', async () => {
    expect(await sentBy(`http://127.0.0.1:${port}/`)).toEqual(['ip=i1']);
  });
});
