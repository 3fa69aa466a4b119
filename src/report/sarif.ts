/**
 * SARIF 2.1.0 output for code scanning (github/codeql-action/upload-sarif) and other SARIF
 * consumers. One run, the rule catalogue as `tool.driver.rules`, repo-relative URIs (relative to
 * `%SRCROOT%`), regions, and `partialFingerprints` that survive line moves and rewording: the
 * fingerprint baselines use (engine/baseline.ts: the rule, the path, the key the finding points at
 * and its numbers), plus an occurrence counter for identical findings in the same file. A report
 * without fingerprints (written by an earlier version) falls back to a hash of the rule, the path
 * and the message with its numbers removed, under the earlier key.
 */
import { createHash } from 'node:crypto';
import type { Report, ReportFinding } from '../engine/report-types.js';
import type { Severity } from '../engine/types.js';
import { docsPath, RULES } from '../rules/index.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** Where rule docs are published: `helpUri` is `${docsBaseUrl}docs/rules/<id>.md`. */
export const DEFAULT_DOCS_BASE_URL = 'https://github.com/trainlint/trainlint/blob/main/';

export interface SarifOptions {
  /** Base URL the docs paths are appended to (ends with `/`). */
  docsBaseUrl?: string;
  /** `runAutomationDetails.id`, to tell several uploads for one commit apart. */
  category?: string;
}

type SarifLevel = 'error' | 'warning' | 'note';

/** relatedLocations kept per result: GitHub shows the first 100 (and keeps up to 1,000). */
const MAX_RELATED = 100;

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };

/** Catalogue entries for ids that are not rules (reported by the engine itself). */
const EXTRA_RULES: Array<{ id: string; description: string; defaultSeverity: Severity }> = [
  { id: 'internal-error', description: 'trainlint failed on a file; the other files were linted.', defaultSeverity: 'error' },
];

/** The text of a SARIF `message`/`description`: capped at GitHub's 1024 characters for descriptions. */
function cap(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Repo-relative POSIX path as a relative URI reference (RFC 3986): each segment percent-encoded. */
export function pathToUri(p: string): string {
  return p
    .replace(/\\/g, '/')
    .replace(/^\.\//, '')
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

/** partialFingerprints key of the baseline fingerprint (ReportFinding.fingerprint). */
export const FINGERPRINT_KEY = 'trainlintFinding/v2';
/** partialFingerprints key of the message hash, for reports without fingerprints. */
export const LEGACY_FINGERPRINT_KEY = 'trainlintFindingHash/v1';

/** The message with every number replaced, so that a finding keeps its fingerprint when values or lines shift. */
export function fingerprintText(f: Pick<ReportFinding, 'ruleId' | 'path' | 'message'>): string {
  const message = f.message.replace(/[-+]?\d[\d_,.]*(?:e[-+]?\d+)?/gi, '#');
  return `${f.ruleId}\0${f.path}\0${message}`;
}

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  helpUri?: string;
  help: { text: string; markdown: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; precision: string; 'problem.severity': string };
}

function ruleName(id: string): string {
  return id
    .split(/[-_]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function sarifRule(id: string, description: string, severity: Severity, docsBaseUrl: string, documented: boolean): SarifRule {
  const helpUri = documented ? `${docsBaseUrl}${docsPath(id)}` : undefined;
  const text = cap(description, 1024);
  return {
    id,
    name: ruleName(id),
    shortDescription: { text },
    fullDescription: { text },
    ...(helpUri ? { helpUri } : {}),
    help: {
      text: helpUri ? `${text} See ${helpUri}` : text,
      markdown: helpUri ? `${text}\n\n[Rule documentation](${helpUri})` : text,
    },
    defaultConfiguration: { level: LEVEL[severity] },
    properties: { tags: ['trainlint', 'ml-config'], precision: 'high', 'problem.severity': severity === 'info' ? 'recommendation' : severity },
  };
}

/** The SARIF log (an object; serialise with JSON.stringify). */
export function buildSarif(report: Report, options: SarifOptions = {}): Record<string, unknown> {
  const docsBaseUrl = options.docsBaseUrl ?? DEFAULT_DOCS_BASE_URL;
  const rules: SarifRule[] = RULES.map((r) => sarifRule(r.meta.id, r.meta.description, r.meta.defaultSeverity, docsBaseUrl, true));
  for (const extra of EXTRA_RULES) rules.push(sarifRule(extra.id, extra.description, extra.defaultSeverity, docsBaseUrl, false));
  const indexOf = new Map(rules.map((r, i) => [r.id, i]));
  // Any other id a finding carries still gets a descriptor, so every result has a ruleIndex.
  for (const f of report.findings) {
    if (!indexOf.has(f.ruleId)) {
      indexOf.set(f.ruleId, rules.length);
      rules.push(sarifRule(f.ruleId, f.ruleId, f.severity, docsBaseUrl, false));
    }
  }

  const seen = new Map<string, number>();
  const results = report.findings.map((f) => {
    const [key, hash] = f.fingerprint ? [FINGERPRINT_KEY, f.fingerprint] : [LEGACY_FINGERPRINT_KEY, sha256(fingerprintText(f))];
    const occurrence = (seen.get(`${key}\0${hash}`) ?? 0) + 1;
    seen.set(`${key}\0${hash}`, occurrence);
    const region: Record<string, number> = { startLine: Math.max(1, f.line), startColumn: Math.max(1, f.column) };
    if (f.endLine >= f.line) region.endLine = Math.max(1, f.endLine);
    if (f.endColumn > 0 && (f.endLine > f.line || f.endColumn >= f.column)) region.endColumn = Math.max(1, f.endColumn);
    return {
      ruleId: f.ruleId,
      ruleIndex: indexOf.get(f.ruleId) ?? 0,
      level: LEVEL[f.severity],
      message: { text: f.fix ? `${f.message} Fix: ${f.fix}` : f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: pathToUri(f.path), uriBaseId: '%SRCROOT%' },
            region,
          },
        },
      ],
      ...(f.related?.length
        ? {
            // GitHub keeps up to 1,000 locations per result and shows 100.
            relatedLocations: f.related.slice(0, MAX_RELATED).map((r, id) => ({
              id,
              physicalLocation: {
                artifactLocation: { uri: pathToUri(r.path), uriBaseId: '%SRCROOT%' },
                region: { startLine: Math.max(1, r.line), startColumn: Math.max(1, r.column) },
              },
              message: { text: r.message },
            })),
          }
        : {}),
      partialFingerprints: { [key]: `${hash}:${occurrence}` },
      ...(Object.keys(f.data).length > 0 ? { properties: { data: f.data } } : {}),
    };
  });

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'trainlint',
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: docsBaseUrl.replace(/\/blob\/[^/]+\/$/, ''),
            rules,
          },
        },
        ...(options.category ? { automationDetails: { id: `${options.category.replace(/(?<!\/)\/+$/, '')}/` } } : {}),
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The repository root.' } } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export function formatSarif(report: Report, options: SarifOptions = {}): string {
  return `${JSON.stringify(buildSarif(report, options), null, 2)}\n`;
}
