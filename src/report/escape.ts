/**
 * Escaping for untrusted text (paths, messages, source lines) before it reaches a terminal
 * or a GitHub Actions workflow command.
 */

/**
 * Escapes the data (message) part of a workflow command, exactly like @actions/core's
 * `escapeData` in command.ts: `%` → `%25`, `\r` → `%0D`, `\n` → `%0A`.
 */
export function escapeCommandData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * Escapes a property value of a workflow command, exactly like @actions/core's
 * `escapeProperty` in command.ts: the data escapes plus `:` → `%3A` and `,` → `%2C`.
 */
export function escapeCommandProperty(s: string): string {
  return escapeCommandData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * Whole escape sequences, removed as a unit so that their parameters do not leak as text:
 * - OSC (`ESC ]` or 8-bit `0x9D`) … terminated by BEL, `ESC \` or 8-bit ST (`0x9C`)
 *   (covers OSC 8 hyperlinks, window titles, OSC 52 clipboard writes);
 * - DCS / SOS / PM / APC (`ESC P`, `ESC X`, `ESC ^`, `ESC _`, or 8-bit) … terminated by ST or BEL;
 * - CSI (`ESC [` or 8-bit `0x9B`) parameters, intermediates and final byte (colours, cursor moves);
 * - any other `ESC` sequence: intermediates (0x20–0x2F) and a final byte (0x30–0x7E).
 */
const ESCAPE_SEQUENCE = new RegExp(
  [
    '(?:\\x1b\\]|\\u009d)[^\\x07\\x1b\\u009c]*(?:\\x07|\\x1b\\\\|\\u009c)',
    '(?:\\x1b[PX^_]|[\\u0090\\u0098\\u009e\\u009f])[^\\x07\\x1b\\u009c]*(?:\\x07|\\x1b\\\\|\\u009c)',
    '(?:\\x1b\\[|\\u009b)[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]',
    '\\x1b[\\x20-\\x2f]*[\\x30-\\x7e]',
  ].join('|'),
  'g',
);

/** Line breaks, which become one space so that the words either side stay apart. */
const LINE_BREAKS = /\r\n|\r|\n/g;

/** Every remaining C0 control except tab, DEL and the C1 controls (0x80–0x9F). */
const CONTROL_CHARS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

/** CONTROL_CHARS, not global (`test` keeps no state): ESC, CR and LF are among them. */
const HAS_CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

/**
 * Makes untrusted text safe to print on a terminal: removes ANSI escape sequences (CSI, OSC,
 * DCS…, in both 7-bit and 8-bit forms) and every other C0/C1 control character except tab.
 * Line breaks become a single space; a lone or unterminated `ESC` is simply dropped.
 */
export function stripTerminalControls(s: string): string {
  // Every escape sequence starts with ESC or a C1 control, and line breaks are controls too: a text
  // without any (messages, paths, source lines nearly always) comes back as it is, after one search.
  if (!HAS_CONTROL.test(s)) return s;
  return s.replace(ESCAPE_SEQUENCE, '').replace(LINE_BREAKS, ' ').replace(CONTROL_CHARS, '');
}

/** C0/C1 controls other than tab and line breaks (which workflow commands escape as %0D/%0A). */
const COMMAND_CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g;

/**
 * Removes terminal escape sequences and control characters (ESC, BEL, NUL…) from untrusted text
 * bound for a workflow command, keeping line breaks for `escapeCommandData` to encode: a file
 * named `x\x1b]8;;http://evil\x07y.yaml` must not carry a hyperlink or colours into the log.
 */
export function stripCommandControls(s: string): string {
  return s.replace(ESCAPE_SEQUENCE, '').replace(COMMAND_CONTROLS, '');
}
