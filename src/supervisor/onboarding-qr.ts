/**
 * A QR code for a device to open its onboarding page with the camera,
 * as SVG path data the dashboard draws (`<svg viewBox="0 0 size size"><path d=…>`),
 * so no image is made on the server and no inline script or data: URL is
 * needed under the dashboard's CSP.
 *
 * The encoding is qrcode-generator's (byte mode, the smallest version that
 * fits, Reed–Solomon error correction level M: 15 % of the code can be lost,
 * enough for a phone screen photographed at an angle).
 */
import qrcode from 'qrcode-generator';
import { JarsyncError } from '../errors.ts';

/** The quiet zone the QR specification asks for around the code: 4 modules. */
export const QUIET_ZONE = 4;

export interface QrPath {
  /** Width and height in modules, the quiet zone included. */
  readonly size: number;
  /** One `M x y h w v1 h -w z` per horizontal run of dark modules. */
  readonly path: string;
}

/** Encodes ASCII text (a URL); anything else is refused, as byte mode would garble it. */
export function qrMatrix(text: string): boolean[][] {
  if (!/^[\x20-\x7e]+$/.test(text)) throw new JarsyncError('JARSYNC_ERR_BAD_REQUEST', 'A QR code is made for printable ASCII text only.');
  const code = qrcode(0, 'M');
  code.addData(text, 'Byte');
  code.make();
  const count = code.getModuleCount();
  return Array.from({ length: count }, (_, row) => Array.from({ length: count }, (_unused, column) => code.isDark(row, column)));
}

export function qrPath(text: string): QrPath {
  const matrix = qrMatrix(text);
  const parts: string[] = [];
  matrix.forEach((row, y) => {
    for (let x = 0; x < row.length; x += 1) {
      if (row[x] !== true) continue;
      let run = 1;
      while (row[x + run] === true) run += 1;
      parts.push(`M${x + QUIET_ZONE} ${y + QUIET_ZONE}h${run}v1h-${run}z`);
      x += run - 1;
    }
  });
  return { size: matrix.length + 2 * QUIET_ZONE, path: parts.join('') };
}
