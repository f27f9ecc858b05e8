/**
 * Where a parsed request goes, decided from its head and the connection it
 * came on, touching no socket:
 *
 *   on the proxy's own port:
 *     over a connection cap ──────────────────────────▶ 503, close
 *     origin-form (the proxy's address opened directly) ▶ the CA page or /proxy.pac, no credentials asked
 *     no valid Proxy-Authorization (with --auth) ─────▶ 407, close
 *     CONNECT host:port ──────────────────────────────▶ the tunnel router
 *     http(s)://jarsync.cert/… ───────────────────────▶ the CA page
 *     http(s)://host[:port]/… ────────────────────────▶ forward (with Upgrade: an upgrade)
 *     anything else ──────────────────────────────────▶ 400
 *   inside a tunnel: forward to the tunnel's origin, the client's Host kept
 *     (CONNECT there: 400)
 *
 * Who asked is settled here too: the client label on cookie events is the
 * proxy user and address (`user@address:port`), inside a tunnel its CONNECT's.
 */
import type net from 'node:net';
import type { DomainRule } from '../../domains/domain-rule.ts';
import type { CertPage, StaticResponse } from '../cert-page.ts';
import { CERT_PAGE_HOST } from '../cert-page.ts';
import type { ClientAnswer } from '../client-answer.ts';
import { badRequest } from '../client-answer.ts';
import type { ClientGate } from '../client-gate.ts';
import { connectionOptionsOf } from '../http1/connection-options.ts';
import { FieldKind } from '../http1/field-kind.ts';
import { fieldValues, hasField } from '../http1/field-list.ts';
import type { RequestHead } from '../http1/parse-request-head.ts';
import { connectTargetOf, requestTargetOf } from '../http1/request-target.ts';
import { isPacRequest, pacAnswer } from '../proxy-pac.ts';
import type { Target } from '../target.ts';
import type { TunnelInfo } from './connect-router.ts';

export type Route =
  | { readonly kind: 'answer'; readonly answer: ClientAnswer; readonly close: boolean }
  | { readonly kind: 'page'; readonly response: StaticResponse }
  | { readonly kind: 'connect'; readonly host: string; readonly port: number; readonly client: string }
  | {
      readonly kind: 'forward';
      readonly target: Target;
      readonly client: string;
      /** Where to connect: the target's host, or inside a tunnel the CONNECT's host. */
      readonly connectHost: string;
      /** Send the target's authority as Host (absolute-form, RFC 9112 §3.2.2); else the client's Host goes on. */
      readonly rewriteHost: boolean;
      readonly upgrade: boolean;
    };

export interface RouteContext {
  readonly gate: ClientGate;
  readonly certPage: CertPage;
  /** The domain list as the worker knows it now, for the PAC file. */
  readonly rules: () => readonly DomainRule[];
}

/** RFC 9110 §7.8: a protocol switch is asked for with Upgrade and a Connection option naming it. */
function asksUpgrade(head: RequestHead): boolean {
  return hasField(head.fields, FieldKind.Upgrade) && connectionOptionsOf(head.fields).upgrade;
}

/** The first Proxy-Authorization value (a repeated one is ignored, as node:http did). */
function proxyAuthorization(head: RequestHead): string | undefined {
  return hasField(head.fields, FieldKind.ProxyAuthorization) ? fieldValues(head.fields, FieldKind.ProxyAuthorization)[0] : undefined;
}

/** The PAC file, through the address the client used: its Host (the first, as node:http read it), else the connection's. */
function pacFor(head: RequestHead, socket: net.Socket, context: RouteContext): StaticResponse {
  const host = hasField(head.fields, FieldKind.Host) ? fieldValues(head.fields, FieldKind.Host)[0] : undefined;
  return pacAnswer(context.rules(), host, { host: socket.localAddress ?? '127.0.0.1', port: socket.localPort ?? 0 });
}

function cannotProxy(target: string): Route {
  return { kind: 'answer', answer: badRequest(`cannot proxy the request target "${target.slice(0, 200)}"`), close: true };
}

export function routeRequest(head: RequestHead, socket: net.Socket, tunnel: TunnelInfo | null, context: RouteContext): Route {
  if (tunnel !== null) return routeInTunnel(head, tunnel);
  const { gate } = context;
  const overCap = gate.overCap(socket);
  if (overCap !== null) return { kind: 'answer', answer: overCap, close: true };
  // Origin-form straight at the proxy (someone opened its address in a
  // browser): show where the CA is rather than an error. No credentials are
  // asked: the CA certificate is public, and a device needs it before it is
  // set up to use the proxy.
  // The PAC file likewise: a device loads it before it uses the proxy.
  if (head.form === 'origin') return { kind: 'page', response: isPacRequest(head.target) ? pacFor(head, socket, context) : context.certPage.respond(head.target) };
  const who = gate.identify(socket, proxyAuthorization(head));
  // Closed after: an unauthenticated client holds no connection open, and its body is not read.
  if (who.answer !== undefined) return { kind: 'answer', answer: who.answer, close: true };
  if (head.form === 'authority') {
    const authority = connectTargetOf(head.target);
    if (authority === null || authority.host === CERT_PAGE_HOST) return { kind: 'answer', answer: badRequest('CONNECT needs host:port'), close: true };
    return { kind: 'connect', host: authority.host, port: authority.port, client: who.client };
  }
  const target = head.form === 'absolute' ? requestTargetOf('absolute', head.target, null) : null;
  if (target === null) return cannotProxy(head.target);
  if (target.host === CERT_PAGE_HOST) return { kind: 'page', response: context.certPage.respond(target.path) };
  return { kind: 'forward', target, client: who.client, connectHost: target.host, rewriteHost: true, upgrade: asksUpgrade(head) };
}

function routeInTunnel(head: RequestHead, tunnel: TunnelInfo): Route {
  if (head.form === 'authority') return { kind: 'answer', answer: badRequest('CONNECT inside a tunnel'), close: true };
  let path = head.target;
  if (head.form === 'absolute') {
    // The tunnel decides the origin; an absolute-form target inside it lends only its path.
    const absolute = requestTargetOf('absolute', head.target, null);
    if (absolute === null) return cannotProxy(head.target);
    path = absolute.path;
  }
  return {
    kind: 'forward',
    target: { scheme: tunnel.scheme, host: tunnel.host, port: tunnel.port, path },
    client: tunnel.client,
    connectHost: tunnel.connectHost,
    rewriteHost: false,
    upgrade: asksUpgrade(head),
  };
}
