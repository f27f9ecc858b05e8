/**
 * Driving a Chromium started by chromium-process.ts over the DevTools
 * protocol, with jarsync's own client: pages opened and loaded, cookies read,
 * script evaluated in a target. Also the origin handler the browser tests
 * load: cookies set by header (HttpOnly, Secure, Domain=, Max-Age=0) and by
 * page script.
 */
import type http from 'node:http';
import type { SerializedCookie } from '../../src/actors/cookie-change.ts';
import { CdpConnection } from '../../src/cdp/cdp-connection.ts';

/** The synced domain of the browser tests; `other.origin.test` is not synced. */
export const SYNCED = 'shop.origin.test';

export const cookiePages: http.RequestListener = (req, res) => {
  const url = req.url ?? '/';
  res.setHeader('content-type', 'text/html');
  if (url === '/set') {
    res.setHeader('set-cookie', [
      'sid=s-1; Path=/; Secure; HttpOnly; SameSite=Lax',
      'theme=dark; Max-Age=3600; Path=/',
      'cart=3; Path=/cart; SameSite=Strict',
      `wide=w; Domain=${SYNCED}; Path=/; Max-Age=600`,
      'gone=soon; Path=/; Max-Age=600',
    ]);
  } else if (url === '/update') {
    res.setHeader('set-cookie', ['theme=light; Max-Age=7200; Path=/', 'gone=; Max-Age=0; Path=/']);
  } else if (url === '/script') {
    res.end(`<!doctype html><script>document.cookie = 'js=by-script; path=/; max-age=900';</script>`);
    return;
  } else if (url === '/other') {
    res.setHeader('set-cookie', ['foreign=1; Path=/; Max-Age=600', 'foreign-session=1; Path=/']);
  } else if (url === '/plain') {
    res.setHeader('set-cookie', ['plain=p; Path=/']);
  } else if (url === '/later') {
    res.setHeader('set-cookie', ['later=l; Path=/; Max-Age=600']);
  } else if (url === '/drop') {
    res.setHeader('set-cookie', ['theme=; Max-Age=0; Path=/']);
  }
  res.end('<!doctype html><title>page</title>');
};

export async function browserSocket(endpoint: string): Promise<string> {
  const version = (await (await fetch(`${endpoint}/json/version`)).json()) as { webSocketDebuggerUrl: string };
  return version.webSocketDebuggerUrl;
}

/** Opens a page, waits for its load event, closes it. */
export async function visit(endpoint: string, url: string): Promise<void> {
  let loaded: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    loaded = resolve;
  });
  const driver = await CdpConnection.open(await browserSocket(endpoint), (event) => {
    if (event.method === 'Page.loadEventFired') loaded();
  });
  try {
    const { targetId } = await driver.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await driver.send('Target.attachToTarget', { targetId, flatten: true });
    await driver.send('Page.enable', {}, sessionId as string);
    await driver.send('Page.navigate', { url }, sessionId as string);
    await done;
    await driver.send('Target.closeTarget', { targetId });
  } finally {
    driver.close();
  }
}

/** Evaluates an expression in the first target whose URL satisfies `matches` (a page is opened at `open` first when given); resolves to its value. */
export async function evaluateIn(endpoint: string, matches: (url: string) => boolean, expression: string, open?: string): Promise<unknown> {
  const driver = await CdpConnection.open(await browserSocket(endpoint), () => undefined);
  try {
    let opened: unknown;
    if (open !== undefined) opened = (await driver.send('Target.createTarget', { url: open }))['targetId'];
    const { targetInfos } = await driver.send('Target.getTargets');
    const target = (targetInfos as Record<string, unknown>[]).find((info) => matches(String(info['url'])));
    if (target === undefined) throw new Error(`no target matches among ${JSON.stringify(targetInfos)}`);
    const { sessionId } = await driver.send('Target.attachToTarget', { targetId: target['targetId'], flatten: true });
    const answer = await driver.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId as string);
    if (answer['exceptionDetails'] !== undefined) throw new Error(`evaluation failed: ${JSON.stringify(answer['exceptionDetails'])}`);
    if (opened !== undefined) await driver.send('Target.closeTarget', { targetId: opened });
    return (answer['result'] as { value?: unknown } | undefined)?.value;
  } finally {
    driver.close();
  }
}

interface Comparable {
  readonly name: string;
  readonly value: string;
  readonly domain: string;
  readonly path: string;
  readonly expires: number | null;
  readonly httpOnly: boolean;
  readonly secure: boolean;
}

function describeCookie(cookie: Comparable): string {
  return `${cookie.domain}${cookie.path} ${cookie.name}=${cookie.value} expires=${cookie.expires ?? 'session'}${cookie.httpOnly ? ' HttpOnly' : ''}${cookie.secure ? ' Secure' : ''}`;
}

/** Chromium's cookies of the synced domain, one line each, sorted. */
export async function chromiumCookies(endpoint: string): Promise<string[]> {
  const driver = await CdpConnection.open(await browserSocket(endpoint), () => undefined);
  try {
    const { cookies } = await driver.send('Storage.getCookies');
    return (cookies as Record<string, unknown>[])
      .filter((cookie) => String(cookie['domain']).replace(/^\./, '').endsWith(SYNCED))
      .map((cookie) =>
        describeCookie({
          name: String(cookie['name']),
          value: String(cookie['value']),
          domain: String(cookie['domain']),
          path: String(cookie['path']),
          expires: Number(cookie['expires']) < 0 ? null : Math.floor(Number(cookie['expires'])),
          httpOnly: cookie['httpOnly'] === true,
          secure: cookie['secure'] === true,
        }),
      )
      .sort();
  } finally {
    driver.close();
  }
}

/** The jar's cookies in the same lines. */
export function jarLines(cookies: readonly SerializedCookie[]): string[] {
  return cookies
    .map((cookie) =>
      describeCookie({
        name: cookie.key,
        value: cookie.value,
        domain: cookie.hostOnly === true ? (cookie.domain ?? '') : `.${cookie.domain ?? ''}`,
        path: cookie.path ?? '/',
        expires: cookie.expires === undefined ? null : Math.floor(Date.parse(cookie.expires) / 1000),
        httpOnly: cookie.httpOnly === true,
        secure: cookie.secure === true,
      }),
    )
    .sort();
}
