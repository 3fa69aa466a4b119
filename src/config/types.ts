/** `.trainlint.yml` as validated by schemas/trainlint.schema.json. */
import type { PackagePin } from '../engine/package-pins.js';
import type { PlanField, Setting, Severity, SeverityOrOff } from '../engine/types.js';

export type RuleSetting = SeverityOrOff | [SeverityOrOff] | [SeverityOrOff, Record<string, unknown>];
export type Assume = Partial<Record<PlanField, number | string>>;
export type Mappings = Partial<Record<PlanField, string>>;

/**
 * `shortRun`: how deliberate short runs (smoke, functional, debug tests) are recognised and reported.
 * A run of at most `maxSteps` optimizer steps is a short run when its schedule or intervals are
 * sized for at least `ratio` times its length, or when its path names a test (`tests/`, `debug`,
 * `smoke`…). Run-length findings there get `severity`, except what the framework refuses to start on.
 */
export interface ShortRunOption {
  maxSteps?: number;
  ratio?: number;
  severity?: Severity;
}

export const SHORT_RUN_DEFAULTS: Required<ShortRunOption> = { maxSteps: 500, ratio: 100, severity: 'warning' };

export interface Override {
  files: string | string[];
  shortRun?: ShortRunOption;
  rules?: Record<string, RuleSetting>;
  assume?: Assume;
  mappings?: Mappings;
  dialect?: string;
}

export interface TrainlintConfig {
  files?: string | string[];
  ignore?: string | string[];
  yaml?: '1.1' | '1.2';
  maxFileBytes?: number;
  rules?: Record<string, RuleSetting>;
  assume?: Assume;
  mappings?: Mappings;
  overrides?: Override[];
  schemas?: { files: string | string[]; schema: string }[];
  references?: Record<string, string>;
  shortRun?: ShortRunOption;
}

/** A rule as it applies to one file. */
export interface EffectiveRule {
  severity: SeverityOrOff;
  options: Record<string, unknown>;
}

/** Everything the engine needs to lint one file. */
export interface FileSettings {
  rules: Map<string, EffectiveRule>;
  /** `assume` values, plus whole Settings from a launch command (`trainlint exec`). */
  assume: Partial<Record<PlanField, number | string | Setting>>;
  mappings: Mappings;
  dialect?: string;
  /** Paths (relative to the root) of user schemas that apply. */
  schemas: string[];
  /** `shortRun` with its defaults filled in. */
  shortRun: Required<ShortRunOption>;
  /**
   * Engine-supplied, not configuration: the version pin of a Python package nearest a file
   * (engine/package-pins.ts), read only when a dialect asks (TRL's GRPO batch rule depends on it).
   */
  packagePins?: (rel: string, pkg: string) => PackagePin | undefined;
}
