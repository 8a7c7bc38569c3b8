import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth';

const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('exceedsJsonDepth', () => {
  it('allows up to the limit and refuses one level more, arrays and objects alike', () => {
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(exceedsJsonDepth('{"a":'.repeat(3) + '1' + '}'.repeat(3), 3)).toBe(false);
    expect(exceedsJsonDepth('{"a":[{"b":1}]}', 2)).toBe(true);
  });

  it('refuses 5,000 levels, balanced or not, in one pass', () => {
    expect(exceedsJsonDepth(nested(5000))).toBe(true);
    expect(exceedsJsonDepth('[{"a":'.repeat(3000))).toBe(true);
  });

  it('counts depth, not brackets: siblings do not add up', () => {
    expect(exceedsJsonDepth(`[${Array(1000).fill('[[]]').join(',')}]`, 3)).toBe(false);
  });

  it('ignores brackets inside strings, honouring escaped quotes and backslashes', () => {
    expect(exceedsJsonDepth(`{"a":"${'['.repeat(100)}"}`, 1)).toBe(false);
    // \" does not end the string, so the brackets after it are still inside it.
    expect(exceedsJsonDepth(`{"a":"\\"${'['.repeat(100)}"}`, 1)).toBe(false);
    // \\ is one escaped backslash: the quote after it ends the string and the brackets count.
    expect(exceedsJsonDepth(`{"a":"\\\\"${'['.repeat(3)}`, 3)).toBe(true);
    expect(exceedsJsonDepth(Buffer.from(`{"名":"「[[[」"}`), 1)).toBe(false);
  });
});
