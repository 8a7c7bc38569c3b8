import { Resvg } from '@resvg/resvg-js';
import { toString as qrSvg } from 'qrcode';

const WIDTH = 600;
const QR = 520;

const escapeXml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

/** What a cabinet's poster tells the passer-by. */
export const CABINET_HINT = '扫码开门 · 取货关门 · 先用后付';

/**
 * A printable poster of a QR code: the code (error correction level M, so a worn print still scans), the
 * name of what it opens under it (a cabinet, a live session) and how to use it. SVG for print shops, PNG for
 * everyone else.
 */
export async function posterSvg(
  qrUrl: string,
  name: string,
  code: string,
  hint = CABINET_HINT,
): Promise<string> {
  const inner = (await qrSvg(qrUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })).replace(
    /<\?xml[^>]*>/,
    '',
  );
  // The generated SVG sizes itself by its viewBox: nest it at the size we want.
  const sized = inner.replace('<svg ', `<svg x="${(WIDTH - QR) / 2}" y="40" width="${QR}" height="${QR}" `);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="760" viewBox="0 0 ${WIDTH} 760">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    sized,
    `<text x="${WIDTH / 2}" y="620" font-size="36" font-weight="bold" text-anchor="middle" fill="#1a1a1a" font-family="WenQuanYi Zen Hei, Noto Sans CJK SC, sans-serif">${escapeXml(name)}</text>`,
    `<text x="${WIDTH / 2}" y="672" font-size="26" text-anchor="middle" fill="#b0352b" font-family="WenQuanYi Zen Hei, Noto Sans CJK SC, sans-serif">${escapeXml(hint)}</text>`,
    `<text x="${WIDTH / 2}" y="716" font-size="20" text-anchor="middle" fill="#666666" font-family="monospace">${escapeXml(code)}</text>`,
    '</svg>',
  ].join('');
}

/** The poster as a PNG (rendered with the machine's fonts; the CJK font ships with the image). */
export async function posterPng(
  qrUrl: string,
  name: string,
  code: string,
  hint = CABINET_HINT,
): Promise<Buffer> {
  const svg = await posterSvg(qrUrl, name, code, hint);
  const png = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: 'WenQuanYi Zen Hei' },
    fitTo: { mode: 'width', value: WIDTH },
    background: '#ffffff',
  })
    .render()
    .asPng();
  return Buffer.from(png);
}
