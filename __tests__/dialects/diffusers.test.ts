import { readFileSync } from 'node:fs';
import path from 'node:path';
import { detectDialect } from '../../src/dialects/index';
import { diffusers } from '../../src/dialects/diffusers';
import type { ExtractEnv } from '../../src/dialects/types';
import { parseSource } from '../../src/engine/load-file';
import { fixtureLoader } from '../helpers/dialect-fixtures';
import { sharedDescribe } from '../helpers/shared';

const load = fixtureLoader('diffusers');
const env = (assume: ExtractEnv['assume'] = {}): ExtractEnv => ({ assume, mappings: {} });
const sh = (text: string) => parseSource('train.sh', text);
const detected = (file: ReturnType<typeof sh>) => detectDialect(file, env())?.meta.id;
const FLAGS = '--pretrained_model_name_or_path=m --train_batch_size=2 --gradient_accumulation_steps=2 --learning_rate=1e-5';

describe('diffusers detection', () => {
  test.each(['dreambooth.sh', 'sdxl_finetune.sh', 'lora_flux.sh'])('%s is claimed', (name) => {
    expect(detected(load(name))).toBe('diffusers');
  });

  test('sd-scripts commands, other programs and bare scripts without diffusers flags are told apart', () => {
    expect(detected(sh('accelerate launch train_network.py --pretrained_model_name_or_path=m --network_module=networks.lora\n'))).toBe('kohya');
    expect(detected(sh('accelerate launch train_controlnet.py --config_file c.toml --dataset_config d.toml\n'))).toBe('kohya');
    expect(detected(sh('accelerate launch train_controlnet.py --pretrained_model_name_or_path=m --controlnet_model_name_or_path=c\n'))).toBe('diffusers');
    expect(detected(sh('python eval.py --pretrained_model_name_or_path=m\n'))).toBeUndefined();
    expect(detected(sh('accelerate launch train_unconditional.py --train_batch_size=16\n'))).toBe('diffusers');
  });
});

describe('diffusers plans', () => {
  test('dreambooth.sh: one process by default unknown; the per-script defaults; constant with warmup 0 is fine', () => {
    const { plan, ignored, missing } = diffusers.extract(load('dreambooth.sh'), env());
    expect(plan.microBatchSize).toMatchObject({ value: 1, key: '--train_batch_size' });
    expect(plan.peakLr).toMatchObject({ value: 5e-6 });
    expect(plan.scheduler).toMatchObject({ value: 'constant', origin: 'explicit' });
    expect(plan.totalSteps?.value).toBe(400);
    expect(plan.warmupSteps).toBeUndefined();
    expect(plan.saveEverySteps).toMatchObject({ value: 500, origin: 'default', key: '--checkpointing_steps' });
    expect(ignored).toEqual([]);
    expect(missing.map((m) => m.field)).toEqual(['worldSize']);
  });

  test('sdxl_finetune.sh: ×accumulation script on 8 processes: warmup 250 × 2 / 8, cosine horizon 5000 of 20000, rises after it', () => {
    const { plan, afterDecay } = diffusers.extract(load('sdxl_finetune.sh'), env());
    expect(plan.worldSize).toMatchObject({ value: 8, origin: 'launcher' });
    expect(plan.globalBatchSize?.value).toBe(64);
    expect(plan.warmupSteps).toMatchObject({ value: 62.5, origin: 'derived' });
    expect(plan.decaySteps?.value).toBe(5000);
    expect(plan.totalSteps?.value).toBe(20000);
    expect(afterDecay).toBe('rises');
    expect(plan.optimizer?.value).toBe('AdamW8bit');
    expect(plan.precision).toMatchObject({ value: 'bf16', origin: 'launcher' });
  });

  test('the three conventions on 4 processes with accumulation 2 (research §5.3)', () => {
    const run = (script: string) => diffusers.extract(sh(`accelerate launch --num_processes 4 ${script} ${FLAGS} --lr_scheduler=linear --lr_warmup_steps=400 --max_train_steps=4000\n`), env()).plan;
    expect([run('train_text_to_image.py').warmupSteps?.value, run('train_text_to_image.py').decaySteps?.value]).toEqual([400, 4000]);
    expect([run('train_unconditional.py').warmupSteps?.value, run('train_unconditional.py').decaySteps?.value]).toEqual([200, 2000]);
    expect([run('train_t2i_adapter_sdxl.py').warmupSteps?.value, run('train_t2i_adapter_sdxl.py').decaySteps?.value]).toEqual([100, 1000]);
    // A script not in the table: unknown on several processes, said in the notes.
    const unknown = diffusers.extract(sh(`accelerate launch --num_processes 4 train_amused.py ${FLAGS} --lr_scheduler=linear --max_train_steps=4000\n`), env());
    expect(unknown.plan.warmupSteps).toBeUndefined();
    expect(unknown.notes.some((n) => n.startsWith('train_amused.py: how it passes'))).toBe(true);
  });

  test('--scale_lr multiplies the LR by accumulation × batch × processes', () => {
    const { plan } = diffusers.extract(sh(`accelerate launch --num_processes 4 textual_inversion.py ${FLAGS} --scale_lr --max_train_steps=100\n`), env());
    expect(plan.peakLr).toMatchObject({ value: 1.6e-4, origin: 'derived' });
  });

  test('a warmup under constant is ignored; the script --mixed_precision wins over the launcher one', () => {
    const { ignored = [] } = diffusers.extract(sh(`accelerate launch --mixed_precision fp16 train_dreambooth_lora.py ${FLAGS} --lr_warmup_steps=100 --max_train_steps=500 --mixed_precision=bf16\n`), env());
    expect(ignored.map((i) => [i.key, i.critical])).toEqual([
      ['--lr_warmup_steps', undefined],
      ['--mixed_precision', undefined],
    ]);
    // The default warmup under the default constant scheduler is not written: nothing to report.
    expect(diffusers.extract(sh(`accelerate launch train_dreambooth_lora.py ${FLAGS} --max_train_steps=500\n`), env()).ignored).toEqual([]);
  });

  test('argparse type=int rejects a fractional warmup: noted, and the warmup stays unknown', () => {
    const { plan, notes } = diffusers.extract(sh(`accelerate launch --num_processes 1 train_text_to_image.py ${FLAGS} --lr_scheduler=cosine --lr_warmup_steps=0.1 --max_train_steps=500\n`), env());
    expect(plan.warmupSteps).toBeUndefined();
    expect(notes).toContain('--lr_warmup_steps 0.1: argparse (type=int) rejects it at start-up');
  });

  test('lora_flux.sh: Prodigy at lr 1.0 is read as written (adaptive optimizers are not an "LR too high")', () => {
    const { plan, conflicts, ignored } = diffusers.extract(load('lora_flux.sh'), env());
    expect(plan.optimizer?.value).toBe('prodigy');
    expect(plan.peakLr?.value).toBe(1);
    expect(conflicts).toEqual([]);
    expect(ignored).toEqual([]);
  });
});

const FACTS = path.join(__dirname, '..', '..', '..', 'shared', 'corpus-wave2', 'FACTS-diffusers.md');
const describeFacts = sharedDescribe(FACTS);

describeFacts('diffusers FACTS rows (corpus-wave2/FACTS-diffusers.md)', () => {
  test('≥ 95% of the recorded training commands, rebuilt as accelerate launch lines, are diffusers', () => {
    const rows = readFileSync(FACTS, 'utf8')
      .split('\n')
      .filter((l) => /^\| examples\//.test(l))
      .map((l) => l.split('|').map((c) => c.trim()))
      .filter((cells) => cells[2] !== '`?`');
    expect(rows.length).toBeGreaterThanOrEqual(140);
    const commands = rows.map((cells) => {
      const script = cells[2].replace(/`/g, '');
      const flags = (cells[3] ? cells[3].split(/, (?=`)/) : [])
        .map((f) => /^`([\w-]+)`=(.*)$/.exec(f.trim()))
        .filter((m): m is RegExpExecArray => m !== null && !m[2].endsWith('.py'))
        .map((m) => (m[2] === '✓' ? `--${m[1]}` : `--${m[1]}='${m[2].replace(/'/g, '')}'`));
      return `accelerate launch ${script} ${flags.join(' ')}\n`;
    });
    const claimed = commands.filter((c) => detected(sh(c)) === 'diffusers');
    expect(claimed.length / commands.length).toBeGreaterThanOrEqual(0.95);
  });
});

describe('diffusers: a warmup at least the run length in a script that does not multiply by the process count (B, C)', () => {
  const run = (script: string, sched: string, procs: number, extra = '') =>
    diffusers.extract(sh(`accelerate launch --num_processes ${procs} ${script} --pretrained_model_name_or_path=m --train_batch_size=1 --learning_rate=1e-4 --lr_scheduler=${sched} --max_train_steps=300 ${extra}\n`), env());

  test('linear: 500 warmup ticks against a 300-tick horizon, 4 ticks per step: the LR rises for 125 steps, then 0 (no decay horizon)', () => {
    const { plan, ignored = [] } = run('train_text_to_image_lora_sdxl.py', 'linear', 4);
    expect(plan.warmupSteps?.value).toBe(125);
    expect(plan.decaySteps).toBeUndefined();
    expect(ignored.map((i) => [i.key, i.critical, i.data?.afterWarmup])).toEqual([['--lr_scheduler', true, 'zero']]);
    expect(ignored[0].message).toMatch(/^--lr_scheduler linear never decays: train_text_to_image_lora_sdxl\.py gives the scheduler a warmup of --lr_warmup_steps 500 \(the default\) ticks and a horizon of --max_train_steps 300 ticks, and accelerate steps it 4 ticks per optimizer step on 4 processes, so the LR rises for 125 optimizer steps and then drops to 0 for the last 175 optimizer steps \(58\.3%\)/);
  });

  test('cosine: after warmup its progress is a whole number of half-periods, so the LR stays at its peak (an even tick count per step), not "climbs back up"', () => {
    const { plan, ignored = [], afterDecay } = run('train_t2i_adapter_sdxl.py', 'cosine', 2);
    expect(plan.warmupSteps?.value).toBe(250);
    expect(plan.decaySteps).toBeUndefined();
    expect(ignored.map((i) => [i.critical, i.data?.afterWarmup])).toEqual([[false, 'peak']]);
    expect(ignored[0].message).toContain('stays at its peak for the last 50 optimizer steps (16.7%)');
    expect(afterDecay).toBe('rises');
    // Three processes: an odd tick count per step, the LR jumps between the peak and 0.
    expect(run('train_t2i_adapter_sdxl.py', 'cosine', 3).ignored?.[0].data?.afterWarmup).toBe('alternating');
  });

  test('a warmup shorter than the run length keeps the decay horizon; a ×N script (A) is warmup-exceeds-training\'s', () => {
    const short = run('train_text_to_image_lora_sdxl.py', 'linear', 4, '--lr_warmup_steps=30');
    expect(short.ignored).toEqual([]);
    expect(short.plan.decaySteps?.value).toBe(75);
    expect(run('train_text_to_image_lora.py', 'linear', 4).ignored).toEqual([]);
  });
});
