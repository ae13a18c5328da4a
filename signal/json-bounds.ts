/**
 * Bounds on untrusted JSON text, checked before anything recursive touches it. `JSON.parse` copes with deep
 * nesting, but `JSON.stringify` (the relay re-encodes `data`) recurses and throws "Maximum call stack size
 * exceeded" at a few thousand levels: about 12 KB of brackets. So depth is measured on the text, in one loop.
 */

/**
 * True when `text` nests arrays and objects at most `maxDepth` deep. Brackets inside strings (with their escapes)
 * do not count. Works on any text; for text that is not JSON the answer is about its brackets only.
 */
export function jsonDepthWithin(text: string, maxDepth: number): boolean {
  // Depth cannot exceed the number of opening brackets. Counting them is a native search, several times faster
  // than the loop below; real signals (SDP text in a few small objects) never need the loop.
  const openersPattern = /[[{]/g;
  let openers = 0;
  while (openers <= maxDepth && openersPattern.test(text)) openers++;
  if (openers <= maxDepth) return true;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > maxDepth) return false;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return true;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
