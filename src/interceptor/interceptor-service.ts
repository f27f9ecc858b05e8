/**
 * Browsers as a source of cookies, beside the proxy: the extension (over the
 * admin API's interceptor routes) and a browser attached over the DevTools
 * protocol. Both come through here on their way to the jar:
 *
 *   extension ──POST /api/interceptor/cookies──┐
 *   CdpSync (Storage.getCookies diffs) ────────┤──▶ syncing? ──▶ syncsBrowserCookie(domain list) ──▶ JarActor.applyBrowserCookies
 *                                              │      (stopped: nothing)   (not synced: counted, dropped)   (the one writer, in order)
 *
 * The jar actor stays the only writer: these changes queue in its mailbox
 * behind the proxy's events and are applied one at a time, latest wins.
 */
import type { ApplyResult } from '../actors/cookie-writer.ts';
import type { BrowserCookieBatch, BrowserCookieChange } from '../browser-cookie.ts';
import { CdpSync, type CdpStatus } from '../cdp/cdp-sync.ts';
import type { DomainRule } from '../domains/domain-rule.ts';
import { syncsBrowserCookie } from './browser-cookie-filter.ts';
import { ExtensionLink, type ExtensionStatus } from './extension-link.ts';
import { InterceptorPairing } from './interceptor-pairing.ts';

/** What became of a batch of browser cookie changes. */
export interface BrowserSyncResult {
  readonly received: number;
  /** For domains the list does not sync, or sent while syncing was stopped: dropped. */
  readonly ignored: number;
  /** Changed the jar (added, updated, deleted). */
  readonly applied: number;
  readonly unchanged: number;
  /** Refused by the jar (an empty name, a path not starting with "/", over 4096 bytes). */
  readonly refused: number;
}

export interface InterceptorStatus {
  readonly extension: ExtensionStatus;
  /** The DevTools-protocol connection; null without `--cdp`. */
  readonly cdp: CdpStatus | null;
}

export interface InterceptorServiceOptions {
  /** Where scoped tokens are remembered; null: in memory only. */
  readonly dataDir: string | null;
  readonly jar: { applyBrowserCookies(batch: BrowserCookieBatch): Promise<ApplyResult[]> };
  readonly domains: () => readonly DomainRule[];
  readonly syncing: () => boolean;
  /** The DevTools endpoint to sync from, or null. */
  readonly cdp: string | null;
  readonly cdpPollIntervalMs: number;
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export class InterceptorService {
  readonly pairing: InterceptorPairing;
  readonly extension = new ExtensionLink();
  readonly #options: InterceptorServiceOptions;
  readonly #cdp: CdpSync | null;

  private constructor(options: InterceptorServiceOptions, pairing: InterceptorPairing) {
    this.#options = options;
    this.pairing = pairing;
    this.#cdp =
      options.cdp === null
        ? null
        : new CdpSync({
            endpoint: options.cdp,
            pollIntervalMs: options.cdpPollIntervalMs,
            log: options.log,
            apply: async (changes) => {
              await this.apply({ source: 'cdp', client: `cdp@${new URL(options.cdp ?? '').host}`, changes });
            },
          });
  }

  static async open(options: InterceptorServiceOptions): Promise<InterceptorService> {
    const service = new InterceptorService(options, await InterceptorPairing.open({ dataDir: options.dataDir }));
    service.#cdp?.start();
    return service;
  }

  /** Applies what a browser reports, keeping only the synced domains' cookies. */
  async apply(batch: BrowserCookieBatch): Promise<BrowserSyncResult> {
    const received = batch.changes.length;
    if (!this.#options.syncing()) {
      if (batch.source === 'interceptor') this.extension.counted(received, received);
      return { received, ignored: received, applied: 0, unchanged: 0, refused: 0 };
    }
    const rules = this.#options.domains();
    const synced: BrowserCookieChange[] = batch.changes.filter((change) => syncsBrowserCookie(rules, change));
    const ignored = received - synced.length;
    if (batch.source === 'interceptor') this.extension.counted(received, ignored);
    if (synced.length === 0) return { received, ignored, applied: 0, unchanged: 0, refused: 0 };
    const results = await this.#options.jar.applyBrowserCookies({ ...batch, changes: synced });
    let applied = 0;
    let refused = 0;
    for (const result of results) {
      if (result.outcome === 'changed') applied += 1;
      else if (result.outcome === 'refused') refused += 1;
    }
    return { received, ignored, applied, unchanged: results.length - applied - refused, refused };
  }

  /** The domain list changed: the browser's cookies are read again in full (newly synced domains get theirs). */
  domainsChanged(): void {
    this.#cdp?.resync();
  }

  /** Reads the attached browser's cookies now (no-op without one); resolves once the jar has them. */
  async syncBrowserNow(): Promise<void> {
    await this.#cdp?.syncNow();
  }

  status(): InterceptorStatus {
    return { extension: this.extension.status(this.pairing.tokens), cdp: this.#cdp?.status() ?? null };
  }

  async close(): Promise<void> {
    await this.#cdp?.close();
  }
}
