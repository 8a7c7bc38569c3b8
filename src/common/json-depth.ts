/** Deeper JSON than this is refused before it is parsed: no API body needs more than a handful of levels. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether JSON text nests arrays and objects deeper than `max`, found by one iterative pass over the bytes
 * (brackets inside strings, escaped quotes included, do not count). JSON.parse, class-transformer and
 * class-validator all recurse per level, so a small body of 5,000 `[` would otherwise overflow the stack.
 * The text need not be valid JSON: whatever the scan lets through still goes to JSON.parse. UTF-8 bytes of
 * non-ASCII characters never equal these ASCII values, so scanning bytes is exact.
 */
export function exceedsJsonDepth(text: Uint8Array | string, max = MAX_JSON_DEPTH): boolean {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) {
        i++; // the escaped character, whatever it is, neither ends the string nor nests
      } else if (b === QUOTE) {
        inString = false;
      }
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > max) {
        return true;
      }
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}
