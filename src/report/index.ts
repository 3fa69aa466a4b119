/** The output formats: `stylish` (humans), `json` (Report v1) and `github` (workflow commands). */
import type { Report } from '../engine/report-types.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatStylish } from './stylish.js';

export type FormatName = 'stylish' | 'json' | 'github';

export const FORMAT_NAMES: readonly FormatName[] = ['stylish', 'json', 'github'];

export function formatReport(
  name: FormatName,
  report: Report,
  opts: { color: boolean; sources: Map<string, string> },
): string {
  switch (name) {
    case 'stylish':
      return formatStylish(report, opts);
    case 'json':
      return formatJson(report);
    case 'github':
      return formatGithub(report);
    default: {
      const unknown: never = name;
      throw new Error(`unknown format: ${String(unknown)}`);
    }
  }
}

export { formatGithub, formatJson, formatStylish };
export { escapeCommandData, escapeCommandProperty, stripTerminalControls } from './escape.js';
