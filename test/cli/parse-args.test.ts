import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs, type Command } from '../../src/cli/parse-args.ts';
import { JarsyncError, type ErrorCode } from '../../src/errors.ts';

const ENV = { JARSYNC_HOME: '/srv/jarsync' };
const DATA = '/srv/jarsync';

function parse(args: string): Command {
  return parseArgs(args === '' ? [] : args.split(' '), ENV);
}

function failure(args: readonly string[]): JarsyncError {
  try {
    parseArgs(args, ENV);
  } catch (error) {
    expect(error).toBeInstanceOf(JarsyncError);
    return error as JarsyncError;
  }
  throw new Error(`parseArgs(${JSON.stringify(args)}) did not throw`);
}

describe('parseArgs: start', () => {
  it.each<[string, Record<string, unknown>]>([
    ['start', {}],
    ['start --port 8080', { port: 8080 }],
    ['start --port=0', { port: 0 }],
    ['start --port 65535', { port: 65_535 }],
    ['start --host 0.0.0.0 --allow 192.168.1.0/24', { host: '0.0.0.0', allow: ['192.168.1.0/24'] }],
    ['start --host :: --auth phone:secret', { host: '::', auth: [{ user: 'phone', password: 'secret' }] }],
    ['start --allow 10.0.0.0/8 --allow=fd00::/8 --allow 127.0.0.1', { allow: ['10.0.0.0/8', 'fd00::/8', '127.0.0.1'] }],
    ['start --auth phone:se:cret --auth tablet:other', { auth: [{ user: 'phone', password: 'se:cret' }, { user: 'tablet', password: 'other' }] }],
    ['start --host 0.0.0.0 --auth-file /etc/jarsync-auth', { host: '0.0.0.0', authFile: '/etc/jarsync-auth' }],
    ['start --auth-file=rel/auth', { authFile: resolve('rel/auth') }],
    ['start --max-header-size 65536', { maxHeaderSize: 65_536 }],
    ['start --headers-timeout 5000', { headersTimeoutMs: 5_000 }],
    ['start --idle-timeout=30000', { idleTimeoutMs: 30_000 }],
    ['start --upstream-connect-timeout 2000', { upstreamConnectTimeoutMs: 2_000 }],
    ['start --upstream-response-timeout 300000', { upstreamResponseTimeoutMs: 300_000 }],
    ['start --max-connections 20000', { maxConnections: 20_000 }],
    ['start --max-connections-per-client 0', { maxConnectionsPerClient: 0 }],
    ['start --max-connections-per-client 64', { maxConnectionsPerClient: 64 }],
    ['start --max-certificates 500', { maxCertificates: 500 }],
    ['start --mailbox-capacity 1000 --backlog-capacity 2000', { mailboxCapacity: 1_000, backlogCapacity: 2_000 }],
    ['start --backlog-capacity 100 --hold-high-water 100 --hold-low-water 0', { backlogCapacity: 100, holdHighWater: 100, holdLowWater: 0 }],
    ['start --host ::1', { host: '::1' }],
    ['start --host localhost', { host: 'localhost' }],
    ['start --domain example.com', { domains: ['example.com'] }],
    ['start --domain *.Example.COM. --domain https://api.example.net', { domains: ['example.com', 'https://api.example.net'] }],
    ['start --admin-port 9000', { adminPort: 9000 }],
    ['start --port 0 --admin-port 0', { port: 0, adminPort: 0 }],
    ['start --workers 3', { workers: 3 }],
    ['start --ca-file /etc/a.pem --ca-file=relative.pem', { caFiles: ['/etc/a.pem', resolve('relative.pem')] }],
    ['start --insecure-upstream', { insecureUpstream: true }],
    ['start --resolve *.test=127.0.0.1', { resolve: [{ pattern: '*.test', address: '127.0.0.1' }] }],
    ['start --resolve API.example.com=[::1] --resolve a.test=10.0.0.1', { resolve: [{ pattern: 'api.example.com', address: '::1' }, { pattern: 'a.test', address: '10.0.0.1' }] }],
    ['start --no-sync', { syncing: false }],
    ['start --no-persist', { persist: false }],
    ['start --leaf-key rsa', { leafKeyType: 'rsa' }],
    ['start --leaf-key=ec', { leafKeyType: 'ec' }],
    ['start --data-dir /tmp/j', { dataDir: '/tmp/j' }],
    ['start --data-dir=~/j', { dataDir: join(homedir(), 'j') }],
    ['start --data-dir rel/dir', { dataDir: resolve('rel/dir') }],
    ['start --port 8080 -- ', { port: 8080 }],
  ])('%s', (args, options) => {
    expect(parseArgs(args.trim().split(' '), ENV)).toEqual({ kind: 'start', options: { dataDir: DATA, ...options } });
  });

  it('never repeats a password in a refusal', () => {
    const error = failure(['start', '--auth', 'bad user:hunter2']);
    expect(error.message).not.toContain('hunter2');
    expect(failure(['start', '--auth', 'a:hunter2', '--auth', 'a:hunter2']).message).not.toContain('hunter2');
  });

  it('takes the data dir from $JARSYNC_HOME, else ~/.jarsync', () => {
    expect(parseArgs(['start'], { JARSYNC_HOME: 'relative-home' })).toEqual({ kind: 'start', options: { dataDir: resolve('relative-home') } });
    expect(parseArgs(['start'], {})).toEqual({ kind: 'start', options: { dataDir: join(homedir(), '.jarsync') } });
  });
});

describe('parseArgs: cookies, ca, help, version', () => {
  it.each<[string, Command]>([
    ['cookies', { kind: 'cookies', dataDir: DATA, filter: {}, format: 'json' }],
    ['cookies --json', { kind: 'cookies', dataDir: DATA, filter: {}, format: 'json' }],
    ['cookies --netscape --domain example.com', { kind: 'cookies', dataDir: DATA, filter: { domain: 'example.com' }, format: 'netscape' }],
    ['cookies --header --url https://example.com/a', { kind: 'cookies', dataDir: DATA, filter: { url: 'https://example.com/a' }, format: 'header' }],
    ['cookies --url http://a.test/ --domain a.test', { kind: 'cookies', dataDir: DATA, filter: { url: 'http://a.test/', domain: 'a.test' }, format: 'json' }],
    ['cookies --data-dir /d', { kind: 'cookies', dataDir: '/d', filter: {}, format: 'json' }],
    ['cookies --format storage-state --domain a.test', { kind: 'cookies', dataDir: DATA, filter: { domain: 'a.test' }, format: 'storage-state' }],
    ['cookies --format=netscape', { kind: 'cookies', dataDir: DATA, filter: {}, format: 'netscape' }],
    ['wait --domain a.test --name sid', { kind: 'wait', dataDir: DATA, domain: 'a.test', name: 'sid', timeoutSeconds: 30, changedSince: null }],
    [
      'wait --domain a.test --name sid --timeout 2.5 --changed-since 2026-01-31T12:00:00Z',
      { kind: 'wait', dataDir: DATA, domain: 'a.test', name: 'sid', timeoutSeconds: 2.5, changedSince: Date.parse('2026-01-31T12:00:00Z') },
    ],
    ['wait --domain a.test --name sid --changed-since 1700000000000', { kind: 'wait', dataDir: DATA, domain: 'a.test', name: 'sid', timeoutSeconds: 30, changedSince: 1_700_000_000_000 }],
    ['ca', { kind: 'ca', dataDir: DATA, pem: false }],
    ['ca --pem --data-dir=/d', { kind: 'ca', dataDir: '/d', pem: true }],
    ['--help', { kind: 'help', topic: null }],
    ['-h', { kind: 'help', topic: null }],
    ['help cookies', { kind: 'help', topic: 'cookies' }],
    ['start --help', { kind: 'help', topic: 'start' }],
    ['start --port nonsense -h', { kind: 'help', topic: 'start' }],
    ['ca --help', { kind: 'help', topic: 'ca' }],
    ['--version', { kind: 'version' }],
    ['-v', { kind: 'version' }],
  ])('%s', (args, command) => {
    expect(parse(args)).toEqual(command);
  });
});

describe('parseArgs: refusals name the flag', () => {
  it.each<[string[], ErrorCode, string]>([
    [['start', '--bogus'], 'JARSYNC_ERR_UNKNOWN_OPTION', '--bogus'],
    [['start', '--bogus=1'], 'JARSYNC_ERR_UNKNOWN_OPTION', '--bogus'],
    [['start', '-p', '1'], 'JARSYNC_ERR_UNKNOWN_OPTION', '-p'],
    [['start', '--pem'], 'JARSYNC_ERR_UNKNOWN_OPTION', '--pem'],
    [['cookies', '--port', '1'], 'JARSYNC_ERR_UNKNOWN_OPTION', '--port'],
    [['ca', '--url', 'http://a.test/'], 'JARSYNC_ERR_UNKNOWN_OPTION', '--url'],
    [['--bogus'], 'JARSYNC_ERR_UNKNOWN_OPTION', '--bogus'],
    [['stop'], 'JARSYNC_ERR_UNKNOWN_OPTION', 'stop'],
    [['help', 'stop'], 'JARSYNC_ERR_UNKNOWN_OPTION', 'stop'],
    [[], 'JARSYNC_ERR_BAD_OPTION', 'command'],
    [['start', '--port'], 'JARSYNC_ERR_BAD_OPTION', '--port'],
    [['start', '--port', '--no-sync'], 'JARSYNC_ERR_BAD_OPTION', '--port'],
    [['start', '--port', 'x'], 'JARSYNC_ERR_BAD_OPTION', '--port'],
    [['start', '--port', '-1'], 'JARSYNC_ERR_BAD_OPTION', '--port'],
    [['start', '--port', '65536'], 'JARSYNC_ERR_BAD_OPTION', '--port'],
    [['start', '--port', '80.5'], 'JARSYNC_ERR_BAD_OPTION', '--port'],
    [['start', '--port', ''], 'JARSYNC_ERR_BAD_OPTION', '--port'],
    [['start', '--port', '1e3'], 'JARSYNC_ERR_BAD_OPTION', '--port'],
    [['start', '--port', '1', '--port', '2'], 'JARSYNC_ERR_BAD_OPTION', '--port'],
    [['start', '--admin-port', '70000'], 'JARSYNC_ERR_BAD_OPTION', '--admin-port'],
    [['start', '--port', '8000', '--admin-port', '8000'], 'JARSYNC_ERR_BAD_OPTION', '--admin-port'],
    [['start', '--host', 'example.com'], 'JARSYNC_ERR_BAD_OPTION', '--host'],
    [['start', '--workers', '0'], 'JARSYNC_ERR_BAD_OPTION', '--workers'],
    [['start', '--workers', '257'], 'JARSYNC_ERR_BAD_OPTION', '--workers'],
    [['start', '--workers', 'two'], 'JARSYNC_ERR_BAD_OPTION', '--workers'],
    [['start', '--domain', 'not a domain'], 'JARSYNC_ERR_BAD_DOMAIN', '--domain'],
    [['start', '--domain', 'https://example.com/path'], 'JARSYNC_ERR_BAD_DOMAIN', '--domain'],
    [['start', '--domain', 'ftp://example.com'], 'JARSYNC_ERR_BAD_DOMAIN', '--domain'],
    [['start', '--resolve', '127.0.0.1'], 'JARSYNC_ERR_BAD_OPTION', '--resolve'],
    [['start', '--resolve', '*.test=localhost'], 'JARSYNC_ERR_BAD_OPTION', '--resolve'],
    [['start', '--resolve', '=127.0.0.1'], 'JARSYNC_ERR_BAD_OPTION', '--resolve'],
    [['start', '--resolve', 'a.test:443=127.0.0.1'], 'JARSYNC_ERR_BAD_OPTION', '--resolve'],
    [['start', '--leaf-key', 'dsa'], 'JARSYNC_ERR_BAD_OPTION', '--leaf-key'],
    [['start', '--host', '0.0.0.0'], 'JARSYNC_ERR_BAD_OPTION', '--host'],
    [['start', '--host', '192.0.2.7', '--max-connections', '5'], 'JARSYNC_ERR_BAD_OPTION', '--host'],
    [['start', '--allow', '10.0.0.0/33'], 'JARSYNC_ERR_BAD_OPTION', '--allow'],
    [['start', '--allow', 'example.com'], 'JARSYNC_ERR_BAD_OPTION', '--allow'],
    [['start', '--allow'], 'JARSYNC_ERR_BAD_OPTION', '--allow'],
    [['start', '--auth', 'phone'], 'JARSYNC_ERR_BAD_OPTION', '--auth'],
    [['start', '--auth', 'phone:'], 'JARSYNC_ERR_BAD_OPTION', '--auth'],
    [['start', '--auth', 'my phone:secret'], 'JARSYNC_ERR_BAD_OPTION', '--auth'],
    [['start', '--auth', 'a:1', '--auth', 'a:2'], 'JARSYNC_ERR_BAD_OPTION', '--auth'],
    [['start', '--auth-file='], 'JARSYNC_ERR_BAD_OPTION', '--auth-file'],
    [['start', '--auth-file', 'a', '--auth-file', 'b'], 'JARSYNC_ERR_BAD_OPTION', '--auth-file'],
    [['start', '--max-header-size', '512'], 'JARSYNC_ERR_BAD_OPTION', '--max-header-size'],
    [['start', '--max-header-size', '32k'], 'JARSYNC_ERR_BAD_OPTION', '--max-header-size'],
    [['start', '--headers-timeout', '0'], 'JARSYNC_ERR_BAD_OPTION', '--headers-timeout'],
    [['start', '--idle-timeout', '-5'], 'JARSYNC_ERR_BAD_OPTION', '--idle-timeout'],
    [['start', '--upstream-connect-timeout', '1.5'], 'JARSYNC_ERR_BAD_OPTION', '--upstream-connect-timeout'],
    [['start', '--upstream-response-timeout', ''], 'JARSYNC_ERR_BAD_OPTION', '--upstream-response-timeout'],
    [['start', '--max-connections', '0'], 'JARSYNC_ERR_BAD_OPTION', '--max-connections'],
    [['start', '--max-connections-per-client', 'many'], 'JARSYNC_ERR_BAD_OPTION', '--max-connections-per-client'],
    [['start', '--max-certificates', '0'], 'JARSYNC_ERR_BAD_OPTION', '--max-certificates'],
    [['start', '--mailbox-capacity', '0'], 'JARSYNC_ERR_BAD_OPTION', '--mailbox-capacity'],
    [['start', '--backlog-capacity', '1e5'], 'JARSYNC_ERR_BAD_OPTION', '--backlog-capacity'],
    [['start', '--backlog-capacity', '10', '--hold-high-water', '11'], 'JARSYNC_ERR_BAD_OPTION', '--hold-high-water'],
    [['start', '--hold-high-water', '10', '--hold-low-water', '10'], 'JARSYNC_ERR_BAD_OPTION', '--hold-low-water'],
    [['start', '--backlog-capacity', '10', '--hold-low-water', '5'], 'JARSYNC_ERR_BAD_OPTION', '--hold-low-water'],
    [['start', '--no-sync=yes'], 'JARSYNC_ERR_BAD_OPTION', '--no-sync'],
    [['start', '--no-sync', '--no-sync'], 'JARSYNC_ERR_BAD_OPTION', '--no-sync'],
    [['start', '--data-dir='], 'JARSYNC_ERR_BAD_OPTION', '--data-dir'],
    [['start', '--ca-file='], 'JARSYNC_ERR_BAD_OPTION', '--ca-file'],
    [['start', 'extra'], 'JARSYNC_ERR_BAD_OPTION', 'extra'],
    [['start', '--', 'extra'], 'JARSYNC_ERR_BAD_OPTION', 'extra'],
    [['cookies', '--url', 'example.com'], 'JARSYNC_ERR_BAD_OPTION', '--url'],
    [['cookies', '--url', 'ftp://example.com/'], 'JARSYNC_ERR_BAD_OPTION', '--url'],
    [['cookies', '--domain', 'bad domain'], 'JARSYNC_ERR_BAD_DOMAIN', '--domain'],
    [['cookies', '--header'], 'JARSYNC_ERR_BAD_OPTION', '--header'],
    [['cookies', '--json', '--netscape'], 'JARSYNC_ERR_BAD_OPTION', '--netscape'],
    [['cookies', '--format', 'yaml'], 'JARSYNC_ERR_BAD_OPTION', '--format'],
    [['cookies', '--format', 'json', '--netscape'], 'JARSYNC_ERR_BAD_OPTION', '--netscape'],
    [['cookies', '--format', 'header'], 'JARSYNC_ERR_BAD_OPTION', '--format'],
    [['wait', '--name', 'sid'], 'JARSYNC_ERR_BAD_OPTION', '--domain'],
    [['wait', '--domain', 'a.test'], 'JARSYNC_ERR_BAD_OPTION', '--name'],
    [['wait', '--domain', 'bad domain', '--name', 'sid'], 'JARSYNC_ERR_BAD_DOMAIN', '--domain'],
    [['wait', '--domain', 'a.test', '--name', 'sid', '--timeout', '-1'], 'JARSYNC_ERR_BAD_OPTION', '--timeout'],
    [['wait', '--domain', 'a.test', '--name', 'sid', '--timeout', '86401'], 'JARSYNC_ERR_BAD_OPTION', '--timeout'],
    [['wait', '--domain', 'a.test', '--name', 'sid', '--changed-since', 'yesterday'], 'JARSYNC_ERR_BAD_OPTION', '--changed-since'],
    [['wait', '--domain', 'a.test', '--name', 'sid', '--url', 'http://a.test/'], 'JARSYNC_ERR_UNKNOWN_OPTION', '--url'],
    [['cookies', '--header', '--json', '--url', 'http://a.test/'], 'JARSYNC_ERR_BAD_OPTION', '--json'],
    [['ca', '--pem=1'], 'JARSYNC_ERR_BAD_OPTION', '--pem'],
  ])('%j → %s naming %s', (args, code, named) => {
    const error = failure(args);
    expect(error.code).toBe(code);
    expect(error.message).toContain(named);
  });
});
