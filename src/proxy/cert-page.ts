import { X509Certificate } from 'node:crypto';

/** The host a client asks for, through the proxy, to get the CA: `http://jarsync.cert/`. */
export const CERT_PAGE_HOST = 'jarsync.cert';

export interface StaticResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * The CA download page and files. Built once per worker: the CA does not change
 * while the proxy runs.
 */
export class CertPage {
  readonly #routes: Map<string, StaticResponse>;

  constructor(caCertPem: string) {
    const ca = new X509Certificate(caCertPem);
    const pem = Buffer.from(caCertPem.trimEnd() + '\n');
    const file = (type: string, body: Buffer, name: string): StaticResponse => ({
      status: 200,
      headers: {
        'content-type': type,
        'content-length': String(body.length),
        'content-disposition': `attachment; filename="${name}"`,
        'cache-control': 'no-store',
      },
      body,
    });
    const html = Buffer.from(renderPage(ca));
    this.#routes = new Map([
      ['/', { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'content-length': String(html.length), 'cache-control': 'no-store' }, body: html }],
      ['/ca.pem', file('application/x-pem-file', pem, 'jarsync-ca.pem')],
      ['/ca.crt', file('application/x-x509-ca-cert', pem, 'jarsync-ca.crt')],
      ['/ca.cer', file('application/pkix-cert', ca.raw, 'jarsync-ca.cer')],
    ]);
  }

  /** The answer for a path on the cert host (query ignored); a 404 for anything else. */
  respond(path: string): StaticResponse {
    const query = path.indexOf('?');
    const route = this.#routes.get(query < 0 ? path : path.slice(0, query));
    if (route !== undefined) return route;
    const body = Buffer.from('Not found. The CA is at http://jarsync.cert/\n');
    return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length) }, body };
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function renderPage(ca: X509Certificate): string {
  const subject = escapeHtml(ca.subject.replace(/\n/g, ', '));
  const fingerprint = escapeHtml(ca.fingerprint256);
  const until = escapeHtml(new Date(ca.validTo).toISOString().slice(0, 10));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>jarsync CA certificate</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
code { font-size: 0.9em; word-break: break-all; }
a.button { display: inline-block; margin: 0 0.5rem 0.5rem 0; padding: 0.5rem 1rem; border: 1px solid #555; border-radius: 0.4rem; text-decoration: none; color: inherit; }
h2 { margin-top: 2rem; font-size: 1.15rem; }
</style>
</head>
<body>
<h1>Trust the jarsync CA</h1>
<p>This device reaches the web through jarsync. To let it read the cookies of the domains being synced over HTTPS, install and trust this certificate authority. Only hosts on the sync list are decrypted; everything else passes through untouched.</p>
<p>
<a class="button" href="/ca.pem">Download ca.pem (PEM)</a>
<a class="button" href="/ca.cer">Download ca.cer (DER)</a>
<a class="button" href="/ca.crt">Download ca.crt (Android)</a>
</p>
<p>Subject: <code>${subject}</code><br>SHA-256 fingerprint: <code>${fingerprint}</code><br>Valid until: ${until}</p>
<p>Compare the fingerprint with the one <code>jarsync ca</code> prints before you trust it.</p>

<h2>iOS and iPadOS</h2>
<ol><li>Open this page in Safari and download <b>ca.pem</b>; allow the configuration profile.</li>
<li>Settings → General → VPN &amp; Device Management → the jarsync profile → Install.</li>
<li>Settings → General → About → Certificate Trust Settings → turn on full trust for the jarsync CA.</li></ol>

<h2>Android</h2>
<ol><li>Download <b>ca.crt</b>.</li>
<li>Settings → Security → Encryption &amp; credentials → Install a certificate → CA certificate, and pick the file.</li>
<li>Apps trust user CAs only when they opt in (network security config); Chrome does.</li></ol>

<h2>macOS</h2>
<ol><li>Download <b>ca.pem</b> and open it: Keychain Access adds it to the login keychain.</li>
<li>Double-click the jarsync CA → Trust → “When using this certificate: Always Trust”.</li>
<li>Or in a terminal: <code>sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ca.pem</code></li></ol>

<h2>Windows</h2>
<ol><li>Download <b>ca.cer</b> and open it → Install Certificate → Current User.</li>
<li>Place it in “Trusted Root Certification Authorities”.</li>
<li>Or: <code>certutil -user -addstore Root ca.cer</code></li></ol>

<h2>Linux</h2>
<ol><li>Debian, Ubuntu: <code>sudo cp ca.pem /usr/local/share/ca-certificates/jarsync.crt &amp;&amp; sudo update-ca-certificates</code></li>
<li>Fedora, RHEL: <code>sudo cp ca.pem /etc/pki/ca-trust/source/anchors/jarsync.pem &amp;&amp; sudo update-ca-trust</code></li>
<li>Chromium on Linux reads its own store: <code>certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n jarsync -i ca.pem</code></li>
<li>curl: <code>curl --cacert ca.pem</code>; Node: <code>NODE_EXTRA_CA_CERTS=ca.pem</code></li></ol>

<h2>Firefox</h2>
<ol><li>Firefox keeps its own store: Settings → Privacy &amp; Security → Certificates → View Certificates → Authorities → Import.</li>
<li>Pick <b>ca.pem</b> and tick “Trust this CA to identify websites”.</li></ol>
</body>
</html>
`;
}
