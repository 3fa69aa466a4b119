/**
 * How a golden case's findings are printed in its expected.txt: `path:line:col: severity [rule-id] message`,
 * then each related location indented (a merged finding shows its rule: the problem is still reported).
 * Shared by golden.test.ts and scripts/check-bundled.mjs (which bundles it with the engine).
 */
import type { FileResult } from '../../src/engine/lint';

export function renderGolden(results: readonly FileResult[]): string {
  return results
    .flatMap((r) =>
      r.findings.map(
        (f) =>
          `${f.path}:${f.range.line}:${f.range.column}: ${f.severity} [${f.ruleId}] ${f.message}\n` +
          (f.related ?? [])
            .map((x) => {
              const m = f.merged?.find((y) => y.path === x.path && y.range.line === x.range.line && y.range.column === x.range.column);
              return `    related ${x.path}:${x.range.line}:${x.range.column}:${m ? ` [${m.ruleId}]` : ''} ${x.message}\n`;
            })
            .join(''),
      ),
    )
    .join('');
}
