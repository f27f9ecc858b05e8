/**
 * The Devices view: what a phone or another computer needs to use jarsync.
 * The proxy's address as the device should type it (this machine's network
 * addresses when the proxy is bound beyond loopback), a QR code per address
 * that opens the proxy's onboarding page (the CA and how to install it), the
 * CA as PEM, DER and PKCS#12, and the PAC file's URL on the proxy port.
 *
 * The QR code comes from the server as SVG path data (GET /api/devices) and is
 * drawn here with DOM calls: no image, no inline markup, nothing the page's
 * Content-Security-Policy would have to allow.
 */
import { messageOf } from './api.js';
import { byId, h } from './dom.js';

/** @import { Api } from './api.js' */

/**
 * @typedef {object} DeviceAddress
 * @property {string} host
 * @property {number} port
 * @property {string} address  host:port as a proxy setting takes it
 * @property {string} onboardingUrl
 * @property {string} pacUrl
 * @property {{ size: number, path: string }} qr
 */

/**
 * @typedef {object} Devices  GET /api/devices
 * @property {{ enabled: boolean, host: string, port: number }} proxy
 * @property {boolean} beyondLoopback
 * @property {boolean} proxyAuth
 * @property {DeviceAddress[]} addresses
 * @property {{ subject: string, fingerprint256: string, validTo: string }} ca
 * @property {{ adminUrl: string, pairingCode: string }} interceptor
 */

const SVG = 'http://www.w3.org/2000/svg';

/** @param {Api} api */
export function devicesTab(api) {
  const reach = byId('devices-reach', HTMLElement);
  const cards = byId('device-addresses', HTMLElement);
  const fingerprint = byId('ca-fingerprint', HTMLElement);
  const pacUrl = byId('pac-url', HTMLInputElement);
  const interceptorUrl = byId('interceptor-admin-url', HTMLElement);
  const pairingCode = byId('interceptor-pairing-code', HTMLElement);

  async function load() {
    /** @type {Devices} */
    let devices;
    try {
      devices = /** @type {Devices} */ (await api.get('/api/devices'));
    } catch (error) {
      reach.textContent = messageOf(error);
      return;
    }
    const state = devices.proxy.enabled ? '' : ' The proxy is off at the moment: turn it on in Sync Cookies first.';
    reach.textContent =
      (devices.beyondLoopback
        ? 'Set the device\u2019s HTTP proxy (Wi-Fi settings → proxy → manual) to one of these addresses, then open its page to install the CA.'
        : `The proxy listens on ${devices.proxy.host}: only this machine can use it. To set up phones, start jarsync with --host 0.0.0.0 and --allow <your network> (or --auth).`) +
      (devices.proxyAuth ? ' Each device also needs its user name and password (--auth).' : '') +
      state;
    cards.replaceChildren(...devices.addresses.map(card));
    fingerprint.textContent = devices.ca.fingerprint256;
    interceptorUrl.textContent = devices.interceptor.adminUrl;
    pairingCode.textContent = devices.interceptor.pairingCode;
    pacUrl.value = devices.addresses[0]?.pacUrl ?? '';
  }

  /** @param {DeviceAddress} address */
  function card(address) {
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${address.qr.size} ${address.qr.size}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `QR code that opens ${address.onboardingUrl}`);
    const background = document.createElementNS(SVG, 'rect');
    background.setAttribute('width', String(address.qr.size));
    background.setAttribute('height', String(address.qr.size));
    background.setAttribute('fill', '#fff');
    const modules = document.createElementNS(SVG, 'path');
    modules.setAttribute('d', address.qr.path);
    modules.setAttribute('fill', '#000');
    svg.append(background, modules);
    return h(
      'div',
      { class: 'card', 'data-address': address.address },
      h('p', {}, 'Proxy host ', h('code', {}, address.host), ', port ', h('code', {}, String(address.port))),
      h('p', { class: 'address' }, address.address),
      svg,
      h('p', {}, 'Onboarding page: ', h('a', { href: address.onboardingUrl }, address.onboardingUrl)),
      h('p', { class: 'hint' }, 'PAC: ', h('code', {}, address.pacUrl)),
    );
  }

  return { load };
}
