/** `.trainlint.yml` as validated by schemas/trainlint.schema.json. */
import type { PlanField, Setting, SeverityOrOff } from '../engine/types.js';

export type RuleSetting = SeverityOrOff | [SeverityOrOff] | [SeverityOrOff, Record<string, unknown>];
export type Assume = Partial<Record<PlanField, number | string>>;
export type Mappings = Partial<Record<PlanField, string>>;

export interface Override {
  files: string | string[];
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
}
