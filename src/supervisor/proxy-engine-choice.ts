/**
 * Which proxy engine the connection workers run (ProxySettings.engine). The
 * settings decide; when they do not, `JARSYNC_ENGINE` (`raw` or `node`) does,
 * read here and nowhere else, so that tests and benchmarks can run either
 * engine through the whole supervisor. Not a user option: the node:http
 * engine is kept only for comparison.
 */
import { JarsyncError } from '../errors.ts';
import type { ProxySettings } from '../workers/protocol.ts';

export type ProxyEngineKind = NonNullable<ProxySettings['engine']>;

export const DEFAULT_PROXY_ENGINE: ProxyEngineKind = 'raw';

/** `settings` with `engine` filled in from the environment when they do not name one. */
export function withProxyEngine(settings: ProxySettings, env: NodeJS.ProcessEnv = process.env): ProxySettings {
  if (settings.engine !== undefined) return settings;
  const named = env['JARSYNC_ENGINE'];
  if (named === undefined || named === '') return { ...settings, engine: DEFAULT_PROXY_ENGINE };
  if (named !== 'raw' && named !== 'node') {
    throw new JarsyncError('JARSYNC_ERR_BAD_OPTION', `JARSYNC_ENGINE: must be raw or node (got ${JSON.stringify(named)})`);
  }
  return { ...settings, engine: named };
}
