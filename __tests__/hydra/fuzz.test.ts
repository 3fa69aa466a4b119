/**
 * The Hydra readers are pure functions of untrusted text: random and hostile input ends in a value,
 * "unknown" or an error message, never an exception or a hang.
 */
import { parseSource } from '../../src/engine/load-file.js';
import { parseLaunchScript } from '../../src/engine/load/shell.js';
import { composeConfig, applyOverrides, type ConfigLoader } from '../../src/engine/hydra/compose.js';
import { readDefaultsList } from '../../src/engine/hydra/defaults-list.js';
import { hydraCommand, hydraDecorator, configCandidates } from '../../src/engine/hydra/command.js';
import { OmegaReader } from '../../src/engine/omega-reader.js';
import { verl } from '../../src/dialects/verl.js';
import { nemo } from '../../src/dialects/nemo.js';

let seed = 1234;
const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
const pick = <T>(xs: T[]): T => xs[rand(xs.length)];
const env = { assume: {}, mappings: {} };

describe('random input', () => {
  test('defaults lists and compositions of random configs', () => {
    const names = ['a', 'b', 'c/d', '../e', '/f', '.', '_self_', 'optional g', 'override h', '${x}', ''];
    const files: Record<string, string> = {};
    const entry = () => {
      const k = rand(3);
      if (k === 0) return `  - ${pick(names)}`;
      if (k === 1) return `  - ${pick(names)}@${pick(['p', 'q.r', '_global_', ''])}: ${pick(['a', 'b', 'null', '[a, b]', ''])}`;
      return `  - {${pick(names)}: ${pick(names)}}`;
    };
    const text = () => `defaults:\n${Array.from({ length: rand(5) }, entry).join('\n')}\nx: ${rand(10)}\ny:\n  z: \${.x}\n`;
    for (const n of ['a', 'b', 'c/d', 'e', 'f', 'g/a', 'h/b', 'a/a', 'b/b']) files[`${n}.yaml`] = text();
    const loader: ConfigLoader = (rel) => (files[rel] !== undefined ? { path: rel, text: files[rel], tree: parseSource(rel, files[rel]).tree } : { missing: 'no' });
    const t0 = performance.now();
    for (let i = 0; i < 300; i++) {
      const f = parseSource('config.yaml', text());
      expect(() => readDefaultsList(f.tree)).not.toThrow();
      const c = composeConfig(f, loader);
      const r = new OmegaReader(f, [], c.root, 'omegaconf', { sources: c.sources });
      expect(() => r.number(['y', 'z'])).not.toThrow();
    }
    expect(performance.now() - t0).toBeLessThan(5000);
  });

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
