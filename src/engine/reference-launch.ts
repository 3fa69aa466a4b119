/**
 * The launch a reference plan is read with. A config's plan depends on the command that starts
 * it (the world size of `torchrun --nproc_per_node 8`, flags written over the file), so the plan
 * it is compared with must be read the same way: the base revision's config as the base revision's
 * script started it (`--base`), a declared reference as the repository's scripts start it. Without
 * it the reference's world size is unknown and every batch ratio with it too: the founding story
 * (per-GPU batch raised, same LR and warmup, GPUs given by the launch script) went unreported.
 */
import type { ScriptLaunch } from './script-links.js';
import type { PlanField, Setting } from './types.js';

/**
 * The command of a script's other revision that corresponds to `head`, the command that launches
 * the config now: among the commands that name the config as `head` does (the same written path),
 * the one at the same position when both revisions have as many; otherwise the one command that runs
 * the same program with the same flags over the config as `head` (the same command, or one whose
 * launcher options alone changed: `--nproc_per_node 4` → `8`). Undefined when none does or the choice
 * is ambiguous (the reference is then read without a launch: its world size unknown, as before): a
 * smoke test added before the full run (`--max_steps 10` on one GPU) is not the base's full run.
 */
export function correspondingLaunch(launches: ScriptLaunch[], head: ScriptLaunch, headLaunches: ScriptLaunch[]): ScriptLaunch | undefined {
  const written = new Set(head.configs.map((c) => c.written));
  const naming = (list: ScriptLaunch[]) => list.filter((l) => l.configs.some((c) => written.has(c.written)));
  const candidates = naming(launches);
  const headNaming = naming(headLaunches);
  const position = headNaming.indexOf(head);
  if (candidates.length === headNaming.length && position >= 0) return candidates[position];
  for (const same of [identicalLaunch, sameProgramRun]) {
    const matches = candidates.filter((c) => same(c, head));
    if (matches.length > 0) return matches.length === 1 ? matches[0] : undefined;
  }
  return undefined;
}

/** The same command: launcher, values it gives, program and flags over the config. */
function identicalLaunch(a: ScriptLaunch, b: ScriptLaunch): boolean {
  return a.launcher === b.launcher && valuesKey(a.values) === valuesKey(b.values) && sameProgramRun(a, b);
}

/** The same program on the same configs with the same flags over them (the launcher's options may differ). */
function sameProgramRun(a: ScriptLaunch, b: ScriptLaunch): boolean {
  const program = (l: ScriptLaunch) => JSON.stringify([l.program?.cli ?? '', l.program?.program ?? '', l.configs.map((c) => c.written), l.hydra ? 'hydra' : '']);
  return !a.hydra && !b.hydra && program(a) === program(b) && sameOverrides(a, b);
}

/** What a launch gives the configs it names, as one comparable text per field. */
function valuesKey(values: Partial<Record<PlanField, Setting>>): string {
  return Object.entries(values)
    .map(([field, s]) => `${field}=${String(s?.value)}`)
    .sort()
    .join('\n');
}

/**
 * The launch a declared reference is read with: the launches that start it when they all give it
 * the same values (one script, or several that agree), else none (which command is "the" reference
 * run would be a guess).
 */
export function agreedLaunch(launches: { launch: ScriptLaunch }[] | undefined): ScriptLaunch | undefined {
  if (!launches?.length) return undefined;
  const first = launches[0].launch;
  if (first.hydra) return undefined;
  const key = valuesKey(first.values);
  return launches.every((l) => !l.launch.hydra && valuesKey(l.launch.values) === key && sameOverrides(l.launch, first)) ? first : undefined;
}

function sameOverrides(a: ScriptLaunch, b: ScriptLaunch): boolean {
  const text = (l: ScriptLaunch) => JSON.stringify((l.overrides ?? []).map((o) => [o.style, o.path, o.value]));
  return text(a) === text(b);
}
