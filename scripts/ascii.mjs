// Bundles are written as ASCII only. Node reads a module's source as UTF-8: a file with a single
// non-ASCII character becomes a two-byte string, decoded and scanned at twice the size (≈ 10 ms
// of the one-file run under Node 24 for the 3 MB bundle, see docs/performance.md). esbuild already
// escapes strings and template literals; what it leaves are comments and regular expression
// literals, where a `\uXXXX` escape means the same character (in a comment it is only text).
// Refused: a line or paragraph separator (it ends a `//` comment; its escape would not) and a
// character right after a backslash (`\×` is an identity escape; `\\uXXXX` would not be).

/** `text` with every non-ASCII character written as `\uXXXX` (astral ones as a surrogate pair). */
export function asciiOnly(text, file = 'output') {
  return text.replace(/[^\x00-\x7f]/g, (ch, offset) => {
    const code = ch.charCodeAt(0);
    if (code === 0x2028 || code === 0x2029) throw new Error(`${file}: a raw U+${code.toString(16).toUpperCase()} at offset ${offset}; write it as an escape in the source`);
    if (text[offset - 1] === '\\') throw new Error(`${file}: a non-ASCII character after a backslash at offset ${offset}; write it as a \\u escape in the source`);
    return `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
