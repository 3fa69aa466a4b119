/**
 * Applies inline `# trainlint-disable…` comments to a file's findings and reports the
 * suppressions that suppressed nothing or give no reason (rule `unused-suppression`).
 *
 * A grouped finding (engine/group-findings.ts) is suppressed as a whole by a suppression that
 * covers it where it is reported (its rule, its line); a suppression written for one of the
 * findings it merges (that finding's rule and line) removes that consequence, and what is left is
 * grouped again (`regroup`).
 */
import type { Suppression, UnknownDirective } from './directives.js';
import type { SourceFile } from './source.js';
import type { Finding } from './types.js';

function covers(s: Suppression, finding: Finding): boolean {
  return (s.scope === 'file' || s.scope === finding.range.line) && (s.ruleIds.length === 0 || s.ruleIds.includes(finding.ruleId));
}

function describeSuppression(s: Suppression): string {
  const kind = s.scope === 'file' ? 'trainlint-disable' : 'trainlint-disable-next-line';
  return `${kind}${s.ruleIds.length ? ` ${s.ruleIds.join(', ')}` : ''}`;
}

/** A `# trainlint-…` comment that is no directive: it suppresses nothing, whatever it names. */
function unknownDirectiveFinding(d: UnknownDirective, file: SourceFile): Finding {
  const ids = d.ruleIds.length ? ` ${d.ruleIds.join(', ')}` : '';
  return {
    ruleId: 'unused-suppression',
    severity: 'warning',
    path: file.path,
    range: d.range,
    message:
      `\`${d.directive}\` is not a trainlint directive, so it suppresses nothing: ` +
      `write \`# trainlint-disable-next-line${ids} -- reason\` on its own line above the line to suppress, ` +
      `or \`# trainlint-disable${ids} -- reason\` for the whole file`,
    data: { ruleIds: d.ruleIds, unknownDirective: d.directive },
  };
}

/** Findings that survive the file's suppressions, and findings about the suppressions themselves. */
export function applySuppressions(
  findings: Finding[],
  file: SourceFile,
  regroup: (members: Finding[]) => Finding[] = (members) => members,
): { kept: Finding[]; problems: Finding[] } {
  // Most files have no suppression: every finding is kept, and only misspelled directives are reported.
  if (file.directives.suppressions.length === 0) {
    const problems: Finding[] = [];
    for (const d of file.directives.unknown ?? []) problems.push(unknownDirectiveFinding(d, file));
    return { kept: findings.slice(), problems };
  }
  const used = new Set<Suppression>();
  // Indexed by line (file-wide ones apart): a file can hold many findings and many comments.
  const fileWide: Suppression[] = [];
  const byLine = new Map<number, Suppression[]>();
  for (const s of file.directives.suppressions) {
    if (s.scope === 'file') fileWide.push(s);
    else byLine.set(s.scope, [...(byLine.get(s.scope) ?? []), s]);
  }
  const suppressed = (f: Finding): boolean => {
    let covered = false;
    // File-wide ones first, then the line's (the order `used` learns them in).
    for (const s of fileWide) {
      if (!covers(s, f)) continue;
      used.add(s);
      covered = true;
    }
    for (const s of byLine.get(f.range.line) ?? []) {
      if (!covers(s, f)) continue;
      used.add(s);
      covered = true;
    }
    return covered;
  };
  const kept: Finding[] = [];
  for (const f of findings) {
    if (suppressed(f)) {
      // A member of another rule on the finding's own line (the warmup pair: warmup-fraction with
      // warmup-not-rescaled) is its own finding, which a suppression of the shown rule does not cover;
      // members elsewhere are consequences of the suppressed finding and go with it.
      const own = f.merged?.filter((m) => m.range.line === f.range.line && m.ruleId !== f.ruleId && !suppressed(m)) ?? [];
      // The suppressions written for the merged findings are used too, not "suppresses nothing".
      f.merged?.forEach(suppressed);
      if (own.length) kept.push(...regroup(own));
      continue;
    }
    if (!f.merged) {
      kept.push(f);
      continue;
    }
    const left = f.merged.filter((m) => !suppressed(m));
    kept.push(...(left.length === f.merged.length ? [f] : regroup(left)));
  }
  const problems: Finding[] = [];
  for (const s of file.directives.suppressions) {
    if (!used.has(s)) {
      const target = s.scope === 'file' ? 'in this file' : `on line ${s.scope}`;
      problems.push({
        ruleId: 'unused-suppression',
        severity: 'warning',
        path: file.path,
        range: s.range,
        message: `\`${describeSuppression(s)}\` suppresses nothing ${target}: remove it, or fix the rule id`,
        data: { ruleIds: s.ruleIds, scope: s.scope },
      });
    } else if (!s.reason) {
      problems.push({
        ruleId: 'unused-suppression',
        severity: 'warning',
        path: file.path,
        range: s.range,
        message: `\`${describeSuppression(s)}\` gives no reason: add \`-- why this is intended\` so reviewers can judge it`,
        data: { ruleIds: s.ruleIds, scope: s.scope, missingReason: true },
      });
    }
  }
  for (const d of file.directives.unknown ?? []) problems.push(unknownDirectiveFinding(d, file));
  return { kept, problems };
}
