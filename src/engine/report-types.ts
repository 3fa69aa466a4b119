/** The JSON report (version 1), a public contract: see schemas/report.schema.json. */
import type { Origin, Severity } from './types.js';

export interface ReportSetting {
  value: number | string | boolean;
  origin: Origin;
  unit?: string;
  file?: string;
  key?: string;
  line?: number;
  column?: number;
  how?: string;
  note?: string;
  /** 'upper': the real value may be smaller (a dataset's row count before packing and filtering, a per-epoch step cap). */
  bound?: 'upper';
}

export interface ReportFile {
  path: string;
  /** Dialect id, or null when no dialect claimed the file. */
  dialect: string | null;
  /** Canonical plan fields that are known; unknown fields are absent. */
  plan: Record<string, ReportSetting>;
  /** What was compared against, when a diff rule had a reference. */
  reference?: { label: string; path: string };
  /** Why the file has no plan, when it has none. */
  reason?: string;
  /**
   * The launch script command this plan is for, when a script names the config: a config named by
   * several commands has one entry per command, each with its own plan.
   */
  launcher?: { path: string; line: number; column: number };
  /**
   * Set when the launch command hands the script's own arguments on (`"$@"`): whoever runs the
   * script can override the values of this plan. Where the `"$@"` is, and what it means.
   */
  overridable?: { path: string; line: number; column: number; message: string };
}

export interface ReportFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  data: Record<string, unknown>;
  fix?: string;
  docsUrl?: string;
  /**
   * Other places that belong to this finding: for a grouped finding ("one cause, one finding"),
   * each finding it stands for and the key that sets the run length. Absent when there are none.
   */
  related?: ReportRelated[];
  /**
   * The finding's fingerprint as baselines record it (engine/baseline.ts): the rule, the path, the
   * key it points at and its numbers; not its wording nor its line. SARIF's partialFingerprints
   * are built from it. Absent in reports of earlier versions.
   */
  fingerprint?: string;
}

export interface ReportRelated {
  path: string;
  line: number;
  column: number;
  message: string;
}

export interface Report {
  version: 1;
  tool: { name: 'trainlint'; version: string };
  files: ReportFile[];
  findings: ReportFinding[];
  summary: { files: number; errors: number; warnings: number; infos: number };
}
