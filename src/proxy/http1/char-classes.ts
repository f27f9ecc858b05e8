/**
 * The bytes HTTP/1.1's grammar is written in, as lookup tables a byte loop can
 * index without a branch per character class.
 */

export const HTAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const SP = 0x20;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const SEMICOLON = 0x3b;
export const DEL = 0x7f;

/**
 * RFC 9110 §5.6.2: `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-"
 * / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA`. 1 for a tchar, 0 otherwise.
 */
export const TCHAR: Uint8Array = (() => {
  const table = new Uint8Array(256);
  const others = "!#$%&'*+-.^_`|~";
  for (let i = 0; i < others.length; i++) table[others.charCodeAt(i)] = 1;
  for (let c = 0x30; c <= 0x39; c++) table[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) {
    table[c] = 1;
    table[c + 0x20] = 1;
  }
  return table;
})();

/**
 * RFC 9110 §5.5: the bytes of a field value, `field-vchar = VCHAR / obs-text`
 * and the SP / HTAB between them. 1 for those, 0 for CR, LF, NUL, DEL and the
 * other controls.
 */
export const FIELD_VCHAR: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let c = 0x20; c < 0x100; c++) table[c] = c === DEL ? 0 : 1;
  table[HTAB] = 1;
  return table;
})();

/** The value of a HEXDIG (RFC 5234 §B.1, either case), -1 for any other byte. */
export const HEX_VALUE: Int8Array = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let d = 0; d < 10; d++) table[0x30 + d] = d;
  for (let d = 0; d < 6; d++) {
    table[0x41 + d] = 10 + d;
    table[0x61 + d] = 10 + d;
  }
  return table;
})();
