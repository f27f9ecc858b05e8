/**
 * What the raw engine answers itself on its own port: origin-form requests
 * (its address opened directly) get the CA page, and `/proxy.pac` the PAC file
 * for the domain list it knows now, pointing at the address the client used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDomainRule } from '../../../src/domains/parse-domain.ts';
import { PAC_CONTENT_TYPE } from '../../../src/proxy/proxy-pac.ts';
import { rawRequest } from '../../helpers/raw-http.ts';
import type { RunningEngine } from './engine-harness.ts';
import { startEngine } from './engine-harness.ts';

let engine: RunningEngine;

beforeAll(async () => {
  engine = await startEngine({}, ['origin.test']);
});

afterAll(async () => {
  await engine.close();
});

describe('the proxy port answers origin-form requests itself', () => {
  it('serves the PAC file through the address in Host, and follows the domain list', async () => {
    const { port } = engine;
    const response = await rawRequest(port, `GET /proxy.pac HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toEqual([PAC_CONTENT_TYPE]);
    expect(response.body).toContain(`"PROXY localhost:${port}"`);
    expect(response.body).toContain('"origin.test"');
    engine.engine.setDomains([parseDomainRule('later.test')]);
    const later = await rawRequest(port, `GET /proxy.pac?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(later.body).toContain(`"PROXY 127.0.0.1:${port}"`);
    expect(later.body).toContain('"later.test"');
    expect(later.body).not.toContain('"origin.test"');
  });

  it('falls back to the connection’s own address for a Host it cannot trust', async () => {
    const { port } = engine;
    const response = await rawRequest(port, `GET /proxy.pac HTTP/1.1\r\nHost: a"b\r\nConnection: close\r\n\r\n`);
    expect(response.status).toBe(200);
    expect(response.body).toContain(`"PROXY 127.0.0.1:${port}"`);
  });

  it('serves the CA page beside it, and HEAD gets the head alone', async () => {
    const { port } = engine;
    const page = await rawRequest(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Trust the jarsync CA');
    const head = await rawRequest(port, `HEAD /proxy.pac HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length')?.[0])).toBeGreaterThan(0);
    expect(head.body).toBe('');
  });
});
