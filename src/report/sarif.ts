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
import { gzipSync } from 'node:zlib';
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
  /** At most this many results (default MAX_SARIF_RESULTS), the most severe first. */
  maxResults?: number;
  /** At most this many bytes once gzip-compressed (default MAX_SARIF_GZIP_BYTES). */
  maxGzipBytes?: number;
  /**
   * Told (one line, ending in a newline) when findings are left out of the log; the CLI and the
   * action print it on stderr. Default: process.stderr.
   */
  notify?: (line: string) => void;
}

/**
 * GitHub code scanning limits (docs.github.com, "SARIF results exceed limit" and "SARIF file is
 * too large"): a run of more than 25,000 results is rejected, and of an accepted one only 5,000
 * results are stored; an upload is at most 10 MB gzip-compressed. The log holds the 5,000 most
 * severe findings (errors, then warnings, then infos; in report order within a level), so that
 * which ones GitHub keeps is not left to chance, and says how many it left out.
 */
export const MAX_SARIF_RESULTS = 5_000;
/** 10 MB, with room for the upload's own framing. */
export const MAX_SARIF_GZIP_BYTES = 9_500_000;

type SarifLevel = 'error' | 'warning' | 'note';

/** relatedLocations kept per result: GitHub shows the first 100 (and rejects more than 1,000 locations). */
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

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const SEVERITY_WORDS: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'info' };

/** The indices of the `limit` most severe findings (report order within a level), in report order. */
function mostSevere(findings: readonly ReportFinding[], limit: number): number[] {
  if (findings.length <= limit) return findings.map((_, i) => i);
  const order = findings.map((_, i) => i).sort((a, b) => SEVERITY_RANK[findings[a].severity] - SEVERITY_RANK[findings[b].severity] || a - b);
  return order.slice(0, limit).sort((a, b) => a - b);
}

/** "41,501 findings left out of the SARIF log (1 error, 41,500 warnings) …": what a capped log says. */
function leftOutText(findings: readonly ReportFinding[], kept: readonly number[], why: string): string {
  const keptSet = new Set(kept);
  const counts = new Map<Severity, number>();
  findings.forEach((f, i) => {
    if (!keptSet.has(i)) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  });
  const n = (x: number): string => x.toLocaleString('en-US');
  const bySeverity = (['error', 'warning', 'info'] as const)
    .filter((sev) => counts.has(sev))
    .map((sev) => `${n(counts.get(sev)!)} ${SEVERITY_WORDS[sev]}${counts.get(sev) === 1 ? '' : 's'}`)
    .join(', ');
  const left = findings.length - kept.length;
  return (
    `${n(left)} of ${n(findings.length)} findings left out of the SARIF log (${bySeverity}): ${why}; ` +
    `it holds the ${n(kept.length)} most severe. See them all with --format json, or lint fewer files`
  );
}

/** The SARIF log (an object; serialise with JSON.stringify). */
export function buildSarif(report: Report, options: SarifOptions = {}): Record<string, unknown> {
  return buildCappedSarif(report, options, Math.min(options.maxResults ?? MAX_SARIF_RESULTS, report.findings.length), undefined).log;
}

function buildCappedSarif(report: Report, options: SarifOptions, limit: number, why: string | undefined): { log: Record<string, unknown>; leftOut?: string } {
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

  // Occurrences are counted over every finding, so a result keeps its fingerprint whichever are left out.
  const seen = new Map<string, number>();
  const keys = report.findings.map((f) => {
    const [key, hash] = f.fingerprint ? [FINGERPRINT_KEY, f.fingerprint] : [LEGACY_FINGERPRINT_KEY, sha256(fingerprintText(f))];
    const occurrence = (seen.get(`${key}\0${hash}`) ?? 0) + 1;
    seen.set(`${key}\0${hash}`, occurrence);
    return { key, hash, occurrence };
  });
  const kept = mostSevere(report.findings, limit);
  const leftOut = kept.length < report.findings.length ? leftOutText(report.findings, kept, why ?? `GitHub code scanning stores at most ${MAX_SARIF_RESULTS.toLocaleString('en-US')} results per run`) : undefined;
  // Findings of a file share its path (and related locations a few others): each made a URI once.
  const uris = new Map<string, string>();
  const uriOf = (p: string): string => {
    let uri = uris.get(p);
    if (uri === undefined) uris.set(p, (uri = pathToUri(p)));
    return uri;
  };
  const results = kept.map((i) => {
    const f = report.findings[i];
    const { key, hash, occurrence } = keys[i];
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
            artifactLocation: { uri: uriOf(f.path), uriBaseId: '%SRCROOT%' },
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
                artifactLocation: { uri: uriOf(r.path), uriBaseId: '%SRCROOT%' },
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

  const log = {
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
        ...(leftOut
          ? {
              invocations: [
                {
                  executionSuccessful: true,
                  toolExecutionNotifications: [{ descriptor: { id: 'results-left-out' }, level: 'warning', message: { text: leftOut } }],
                },
              ],
              properties: { findings: report.findings.length, resultsLeftOut: report.findings.length - kept.length },
            }
          : {}),
        results,
      },
    ],
  };
  return { log, leftOut };
}

/**
 * The SARIF log as text, within GitHub's limits: at most `maxResults` results, and fewer (the most
 * severe kept) while its gzip-compressed size is over `maxGzipBytes`. What is left out is said in
 * the run (`invocations[0].toolExecutionNotifications`, `properties.resultsLeftOut`) and to `notify`.
 */
export function formatSarif(report: Report, options: SarifOptions = {}): string {
  const maxGzip = options.maxGzipBytes ?? MAX_SARIF_GZIP_BYTES;
  let limit = Math.min(options.maxResults ?? MAX_SARIF_RESULTS, report.findings.length);
  let why: string | undefined;
  for (;;) {
    const { log, leftOut } = buildCappedSarif(report, options, limit, why);
    const text = `${JSON.stringify(log, null, 2)}\n`;
    // gzip never makes JSON text larger than its UTF-8 size: compressed only when it may be over.
    const size = Buffer.byteLength(text) <= maxGzip ? 0 : gzipSync(text).length;
    if (size <= maxGzip || limit === 0) {
      if (leftOut) (options.notify ?? ((line: string) => process.stderr.write(line)))(`trainlint: ${leftOut}\n`);
      return text;
    }
    // Shrunk in proportion (and by a tenth more), the most severe kept.
    limit = Math.min(limit - 1, Math.floor((limit * maxGzip * 0.9) / size));
    why = `GitHub code scanning takes a SARIF file of at most 10 MB gzip-compressed (kept under ${maxGzip.toLocaleString('en-US')} bytes)`;
  }
}
