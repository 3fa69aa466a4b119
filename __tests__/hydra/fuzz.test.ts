/**
 * The Hydra readers are pure functions of untrusted text: random and hostile input ends in a value,
 * "unknown" or an error message, never an exception or a hang.
 */
import { ended, runWork } from '../helpers/child';
import { parseSource } from '../../src/engine/load-file.js';
import { parseLaunchScript } from '../../src/engine/load/shell.js';
import { composeConfig, applyOverrides } from '../../src/engine/hydra/compose.js';
import { hydraCommand, hydraDecorator, configCandidates } from '../../src/engine/hydra/command.js';
import { OmegaReader } from '../../src/engine/omega-reader.js';
import { verl } from '../../src/dialects/verl.js';
import { nemo } from '../../src/dialects/nemo.js';

let seed = 1234;
const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
const pick = <T>(xs: T[]): T => xs[rand(xs.length)];
const env = { assume: {}, mappings: {} };

describe('random input', () => {
  test('defaults lists and compositions of random configs (in a child with a hard timeout)', async () => {
    // The scenario (helpers/bounded-work.ts) composes 300 random configs; a hang is a timeout there.
    const { result, run } = await runWork<{ threw: string[] }>('hydra-random', [], { timeoutMs: 60_000 });
    expect(ended(run)).toMatch(/^exit 0/);
    expect(result!.threw).toEqual([]);
  }, 70_000);

  test('launch commands of random overrides, through the Hydra reader and both dialects', () => {
    const parts = ['a.b=1', '+a=x', '++b.c=[1,2', '~d', 'e=1,2', 'f=${g}', 'h=', '--config-name=x', '-cp', 'conf', '--multirun', '"$@"', '$((2*3))', 'trainer.nnodes=$N', 'actor_rollout_ref.rollout.n=5', 'model.micro_batch_size=x', '=', '@', "'q'"];
    for (let i = 0; i < 400; i++) {
      const words = Array.from({ length: rand(12) }, () => pick(parts)).join(' ');
      const src = `python3 -m ${pick(['verl.trainer.main_ppo', 'verl.trainer.fsdp_sft_trainer'])} ${words}\npython megatron_gpt_pretraining.py ${words}\n`;
      const file = parseSource('run.sh', src);
      for (const cmd of parseLaunchScript(src).script.commands) {
        const h = hydraCommand(cmd, 'run.sh');
        expect(() => configCandidates(h)).not.toThrow();
        expect(() => applyOverrides(composeConfig({ path: 'x.yaml', text: '' }), h.overrides, { complete: rand(2) === 0 })).not.toThrow();
      }
      expect(() => verl.extract(file, env)).not.toThrow();
      expect(() => nemo.extract(file, env)).not.toThrow();
    }
  });

  test('hostile interpolations: deep nesting, cycles and long resolver chains stay unknown', () => {
    const deep = `${'${'.repeat(500)}a${'}'.repeat(500)}`;
    const f = parseSource('x.yaml', `a: \${b}\nb: \${c}\nc: \${a}\nd: "${deep}"\ne: \${multiply:\${multiply:\${multiply:\${e},2},2},2}\nf: \${oc.select:\${f},1}\n`);
    const r = new OmegaReader(f, [], f.tree!, 'omegaconf', { resolvers: { multiply: (x) => x[0] * x[1] } });
    for (const k of ['a', 'd', 'e', 'f']) expect(() => r.number([k])).not.toThrow();
    expect(r.number(['a'])).toBeUndefined();
    expect(r.number(['e'])).toBeUndefined();
  });

  test('decorator reading is bounded', () => {
    expect(hydraDecorator(`@hydra_runner(config_path="conf", config_name="megatron_gpt_config")\ndef main(cfg):\n`)).toEqual({ configPath: 'conf', configName: 'megatron_gpt_config' });
    expect(hydraDecorator('@hydra.main(' + 'x'.repeat(300000))).toEqual({});
    expect(hydraDecorator('print(1)')).toBeUndefined();
  });
});
