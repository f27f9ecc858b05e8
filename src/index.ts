/**
 * jarsync as a library:
 *
 *   import { createSupervisor, filterDomains } from 'jarsync';
 *
 * `createSupervisor` runs the whole engine (proxy workers, certificate minting,
 * the jar); `filterDomains` is the domain filter it uses, for streams of your own.
 */
export { createSupervisor } from './supervisor/supervisor.ts';
export type {
  ProxyState,
  Supervisor,
  SupervisorAddresses,
  SupervisorStatus,
  WorkerStatus,
} from './supervisor/supervisor-api.ts';
export { DEFAULT_PROXY_PORT, defaultDataDir } from './options.ts';
export type { SupervisorOptions } from './options.ts';
export { filterDomains } from './stream/filter-domains.ts';
export type { RequestOrigin } from './stream/filter-domains.ts';
export { parseDomainRule } from './domains/parse-domain.ts';
export type { DomainRule } from './domains/domain-rule.ts';
export type { CookieEvent } from './cookie-event.ts';
export type { BrowserCookie, BrowserCookieBatch, BrowserCookieChange, BrowserCookieKey, BrowserSource } from './browser-cookie.ts';
export type { BrowserSyncResult, InterceptorStatus } from './interceptor/interceptor-service.ts';
export type { ExtensionStatus } from './interceptor/extension-link.ts';
export type { CdpStatus } from './cdp/cdp-sync.ts';
export type {
  ChangeSource,
  ChangeType,
  CookieChange,
  CookieFilter,
  CookieRefusal,
  JarStats,
  RefusalReason,
  SerializedCookie,
} from './actors/cookie-change.ts';
export { ERROR_CODES, JarsyncError } from './errors.ts';
export type { ErrorCode } from './errors.ts';
export { toNetscape } from './formats/netscape.ts';
export { EXPORT_FORMATS, exportCookies } from './formats/export-format.ts';
export type { ExportFormat, ExportedCookies } from './formats/export-format.ts';
export { toStorageState } from './formats/storage-state.ts';
export type { StorageState, StorageStateCookie } from './formats/storage-state.ts';
export { DEFAULT_WAIT_TIMEOUT_MS, waitForCookie, watchCookie } from './supervisor/cookie-watch.ts';
export type { CookieQuery, WaitForCookieOptions, WatchedJar } from './supervisor/cookie-watch.ts';
