/**
 * The output formats: `stylish` (humans), `json` (Report v1), `github` (workflow commands),
 * `sarif` (SARIF 2.1.0, as the action writes it), `markdown` (the action's job summary),
 * `junit` (JUnit XML) and `gitlab` (GitLab Code Quality).
 */
import type { FileTexts } from '../engine/source.js';
import type { Report } from '../engine/report-types.js';
import { formatGithub } from './github.js';
import { formatGitlab } from './gitlab.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatMarkdown, type PlanChange } from './markdown.js';
import { formatSarif } from './sarif.js';
import { formatStylish } from './stylish.js';

export type FormatName = 'stylish' | 'json' | 'github' | 'sarif' | 'markdown' | 'junit' | 'gitlab';

export const FORMAT_NAMES: readonly FormatName[] = ['stylish', 'json', 'github', 'sarif', 'markdown', 'junit', 'gitlab'];

export function formatReport(
  name: FormatName,
  report: Report,
  opts: {
    color: boolean;
    sources: FileTexts;
    /** `markdown`: the plans base → head of the configs that have a reference. */
    changes?: PlanChange[];
    /** `junit`: the level whose findings are failures (`--fail-on`). */
    failOn?: 'error' | 'warning' | 'never';
    /** `sarif`: told when results are left out of the log (GitHub's limits). */
    notify?: (line: string) => void;
  },
): string {
  switch (name) {
    case 'stylish':
      return formatStylish(report, opts);
    case 'json':
      return formatJson(report);
    case 'github':
      return formatGithub(report);
    case 'sarif':
      return formatSarif(report, opts.notify ? { notify: opts.notify } : {});
    case 'markdown':
      return formatMarkdown(report, { changes: opts.changes });
    case 'junit':
      return formatJunit(report, { failOn: opts.failOn });
    case 'gitlab':
      return formatGitlab(report);
    default: {
      const unknown: never = name;
      throw new Error(`unknown format: ${String(unknown)}`);
    }
  }
}

export { formatGithub, formatGitlab, formatJson, formatJunit, formatMarkdown, formatSarif, formatStylish };
export { escapeCommandData, escapeCommandProperty, stripTerminalControls } from './escape.js';
