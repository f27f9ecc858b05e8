/**
 * The dashboard's few DOM helpers: making elements without innerHTML (no
 * markup is ever built from data, so no value from the jar can become script),
 * and finding the page's elements by id with their type checked.
 */

/**
 * An element with attributes and children; `undefined` or `false` attributes are left out.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Readonly<Record<string, string | boolean | undefined>>} [attributes]
 * @param {...(Node | string)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children);
  return element;
}

/**
 * The page's element with this id, which must be of this type.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T; prototype: T }} type
 * @returns {T}
 */
export function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the page has no ${type.name} #${id}`);
  return element;
}

/** The dots shown in place of a cookie's value until it is revealed. */
export const MASK = '••••••••';

/**
 * A time of day, or a date and time if not today.
 * @param {number | string} time ms since the epoch, or ISO 8601
 * @returns {string}
 */
export function formatTime(time) {
  const date = new Date(time);
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString() : date.toLocaleString();
}
