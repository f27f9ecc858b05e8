/**
 * The admin API's routes for setting devices up:
 *
 *   GET /api/devices            where devices find the proxy (each address with its onboarding page, its QR
 *                               code and its PAC URL on the proxy port), the CA's fingerprint
 *   GET /ca.der                 the CA certificate, DER (no token: it is public)
 *   GET /ca.p12                 the CA certificate alone in a PKCS#12 file, empty password (no token)
 *   GET /proxy.pac[?address=A]  the PAC file for the domain list (no token: devices fetch it; it shows the domain list)
 *
 * /ca.pem is in admin-routes.ts, with the API's first routes.
 */
import { X509Certificate } from 'node:crypto';
import { JarsyncError } from '../errors.ts';
import { PAC_CONTENT_TYPE, proxyPac } from '../proxy/proxy-pac.ts';
import { caPkcs12 } from '../tls/ca-pkcs12.ts';
import type { AdminRoute } from './admin-routes.ts';
import { json } from './admin-routes.ts';
import { deviceAddresses } from './device-addresses.ts';
import { qrPath } from './onboarding-qr.ts';
import type { Supervisor } from './supervisor-api.ts';

export interface DeviceRoutesContext {
  readonly supervisor: Supervisor;
  readonly caCertPem: string;
  /** The admin API's port, known once it listens. */
  readonly adminPort: () => number;
}

export function deviceRoutes({ supervisor, caCertPem, adminPort }: DeviceRoutesContext): readonly AdminRoute[] {
  const ca = new X509Certificate(caCertPem);
  // Made once: the CA does not change while jarsync runs.
  const p12 = caPkcs12(caCertPem);
  const addresses = () => {
    const proxy = supervisor.proxyState();
    return deviceAddresses(proxy.host, proxy.port);
  };
  const download = (contentType: string, body: Uint8Array, fileName: string) => ({
    kind: 'body' as const,
    contentType,
    body,
    headers: { 'content-disposition': `attachment; filename="${fileName}"` },
  });
  return [
    {
      path: '/api/devices',
      methods: {
        GET: {
          handle: () => {
            const proxy = supervisor.proxyState();
            const found = addresses();
            return json({
              proxy: { enabled: proxy.enabled, host: proxy.host, port: proxy.port },
              beyondLoopback: found.beyondLoopback,
              proxyAuth: supervisor.options.auth.length > 0,
              addresses: found.addresses.map((address) => ({ ...address, qr: qrPath(address.onboardingUrl) })),
              ca: { subject: ca.subject, fingerprint256: ca.fingerprint256, validTo: new Date(ca.validTo).toISOString(), pem: '/ca.pem', der: '/ca.der', p12: '/ca.p12' },
              pac: { url: `http://127.0.0.1:${adminPort()}/proxy.pac` },
              // For the Interceptor extension's options page (README: the Interceptor).
              interceptor: { adminUrl: `http://127.0.0.1:${adminPort()}`, pairingCode: supervisor.interceptor().pairing.code },
            });
          },
        },
      },
    },
    {
      path: '/ca.der',
      public: true,
      methods: { GET: { handle: () => download('application/x-x509-ca-cert', ca.raw, 'jarsync-ca.der') } },
    },
    {
      path: '/ca.p12',
      public: true,
      methods: { GET: { handle: () => download('application/x-pkcs12', p12, 'jarsync-ca.p12') } },
    },
    {
      path: '/proxy.pac',
      public: true,
      methods: {
        GET: {
          query: ['address'],
          handle: ({ query }) => {
            const proxy = supervisor.proxyState();
            const choices = addresses().addresses;
            const wanted = query.get('address');
            const chosen = wanted === undefined ? choices[0] : choices.find((choice) => choice.host === wanted || choice.address === wanted);
            if (chosen === undefined && wanted !== undefined) {
              throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', `?address= must be one of the proxy's addresses: ${choices.map((choice) => choice.host).join(', ') || 'none found'}.`);
            }
            return { kind: 'body', contentType: PAC_CONTENT_TYPE, body: proxyPac(supervisor.domains(), chosen ?? { host: proxy.host, port: proxy.port }) };
          },
        },
      },
    },
  ];
}
