/** `trainlint plan FILE`: each canonical value with its origin and location, then what is unknown. */
import { runPlanOf, type FileResult } from '../engine/lint.js';
import { formatValue } from '../engine/format-number.js';
import { PLAN_FIELDS, type Setting, type TrainingPlan } from '../engine/types.js';
import { stripTerminalControls } from './escape.js';

function where(setting: Setting): string {
  const parts: string[] = [];
  if (setting.file && setting.range) parts.push(`${setting.file}:${setting.range.line}:${setting.range.column}`);
  if (setting.key) parts.push(setting.key);
  if (setting.how) parts.push(`= ${setting.how}`);
  if (setting.note) parts.push(`(${setting.note})`);
  return parts.join('  ');
}

/**
 * One line on an RL run's batch units (prompts, responses, optimizer steps per rollout step) and
 * what the step counts above count, for an RL plan only: one with prompts, responses per prompt or
 * optimizer steps per rollout step, or a scheduler that ticks per rollout step. A supervised plan's
 * `schedulerTick` (Ultralytics counts iterations) is shown on its own line, not as RL units.
 */
export function rlUnits(plan: TrainingPlan): string | undefined {
  const { promptsPerRolloutStep: prompts, samplesPerPrompt: n, optimizerStepsPerRolloutStep: opt, schedulerTick: tick, globalBatchSize: batch } = plan;
  if (!prompts && !n && !opt && tick?.value !== 'rollout-step') return undefined;
  const parts: string[] = [];
  const count = (value: number, noun: string) => `${formatValue(value)} ${noun}${value === 1 ? '' : 's'}`;
  if (prompts && n) parts.push(`${count(prompts.value, 'prompt')} × ${count(n.value, 'response')} = ${count(prompts.value * n.value, 'response')} per rollout step`);
  else if (prompts) parts.push(`${count(prompts.value, 'prompt')} per rollout step`);
  if (batch) parts.push(`${count(batch.value, 'response')} per optimizer step`);
  if (opt) parts.push(`${formatValue(opt.value)} optimizer step${opt.value === 1 ? '' : 's'} per rollout step`);
  if (tick) {
    parts.push(tick.value === 'rollout-step' ? 'the LR scheduler ticks once per rollout step: step counts above are rollout steps' : 'the LR scheduler ticks once per optimizer step');
  }
  return parts.join('; ');
}

export function formatPlan(result: FileResult): string {
  const lines: string[] = [];
  const clean = stripTerminalControls;
  lines.push(`${clean(result.file.path)}  dialect: ${result.dialect?.meta.id ?? 'none'}`);
  const launch = result.launch;
  if (launch) {
    lines.push(`  launched by: ${clean(launch.script)}:${launch.range.line} (${clean(launch.launcher)}; ${clean(launch.resolvedFrom)}; runs in ${clean(launch.workdir.label)})`);
  }
  for (const start of result.starts ?? []) lines.push(`  starts: ${clean(start)}`);
  if (!result.extraction) {
    lines.push(`  no plan: ${clean(result.reason ?? 'unknown reason')}`);
    for (const p of result.file.problems) lines.push(`  ${p.range.line}:${p.range.column} ${p.kind}: ${clean(p.message)}`);
    return lines.join('\n') + '\n';
  }
  const { missing, notes } = result.extraction;
  const plan = runPlanOf(result);
  const width = Math.max(...PLAN_FIELDS.map((f) => f.length));
  const unknown: string[] = [];
  for (const field of PLAN_FIELDS) {
    const setting = plan[field] as Setting | undefined;
    if (!setting) {
      unknown.push(field);
      continue;
    }
    // An upper bound (a dataset's rows before packing, a per-epoch cap) is shown as "≤ N".
    const value = (setting.bound === 'upper' ? '≤ ' : '') + formatValue(setting.value) + (setting.unit && setting.unit !== 'ratio' ? ` ${setting.unit}` : '');
    lines.push(`  ${field.padEnd(width)}  ${value.padEnd(16)}  ${setting.origin.padEnd(8)}  ${clean(where(setting))}`);
  }
  const rl = rlUnits(plan);
  if (rl) lines.push(`  RL units: ${clean(rl)}`);
  if (result.extraction.overridable) lines.push(`  overridable: ${clean(result.extraction.overridable.message)}`);
  if (result.reference) lines.push(`  compared with: ${clean(result.reference.label)}`);
  for (const link of result.linked ?? []) {
    lines.push(`  linked: ${clean(link.path)} (${link.key}: ${clean(link.written)}${link.resolvedFrom ? `, found from ${clean(link.resolvedFrom)}` : ''})`);
  }
  for (const note of notes) lines.push(`  note: ${clean(note)}`);
  if (unknown.length) lines.push(`  unknown: ${unknown.join(', ')}`);
  if (missing.length) {
    lines.push('  to resolve more:');
    for (const m of missing) lines.push(`    ${m.field}: ${clean(m.hint)}`);
  }
  return lines.join('\n') + '\n';
}
