/**
 * One entry of the domain list, parsed and canonical. Plain data, so it can be
 * sent to connection workers as it is.
 *
 * - `example.com` → `{ host: 'example.com', scheme: null, port: null, subdomains: true }`
 * - `https://example.com` → exactly that host over https (any port unless one is given)
 * - `http://example.com:8080` → exactly that host and port over plain http
 * - an IP address never has subdomains.
 */
export interface DomainRule {
  /** The canonical text of the rule, as the API and CLI show it. */
  readonly spec: string;
  /** Lower-case ASCII host (IDNs as punycode), IPv6 without brackets. */
  readonly host: string;
  readonly scheme: 'http' | 'https' | null;
  readonly port: number | null;
  readonly subdomains: boolean;
}
