import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIALECTS, detectDialect } from '../../src/dialects/index';
import { kohya } from '../../src/dialects/kohya';
import type { ExtractEnv } from '../../src/dialects/types';
import { lint } from '../../src/engine/lint';
import { accelerateLink } from '../../src/engine/links';
import { parseSource } from '../../src/engine/load-file';
import { accelerateValues, launchedConfig, scriptLaunches } from '../../src/engine/script-links';
import { fixtureLoader, fixturesDir } from '../helpers/dialect-fixtures';
import { sharedDescribe } from '../helpers/shared';

const load = fixtureLoader('kohya');
const env = (assume: ExtractEnv['assume'] = {}): ExtractEnv => ({ assume, mappings: {} });
const toml = (text: string, name = 'x.toml') => parseSource(name, text);
const detected = (file: ReturnType<typeof toml>) => detectDialect(file, env())?.meta.id;
const LORA = 'pretrained_model_name_or_path = "m"\nnetwork_module = "networks.lora"\ntrain_batch_size = 2\nlearning_rate = 1e-4\n';

describe('kohya detection', () => {
  test.each(['sdxl_lora.toml', 'flux_lora.toml', 'train.sh', 'gui-lora.json'])('%s is claimed', (name) => {
    expect(detected(load(name))).toBe('kohya');
  });

  test('look-alikes get no dialect: dataset configs, the GUI settings file, diffusers commands, an accelerate config', () => {
    const dataset = '[general]\nshuffle_caption = true\ncaption_extension = ".txt"\n\n[[datasets]]\nresolution = 1024\nbatch_size = 4\n\n  [[datasets.subsets]]\n  image_dir = "img"\n  num_repeats = 10\n';
    const generalOnly = '[general]\nflip_aug = true\nresolution = [1024, 1024]\n';
    const guiSettings = '[settings]\nuse_shell = false\n\n[model]\noutput_name = "x"\ndataset_config = "d.toml"\n\n[basic]\nepoch = 1\nlearning_rate = 0.0001\n';
    for (const text of [dataset, generalOnly, guiSettings]) expect(detected(toml(text))).toBeUndefined();
    const diffusers = 'accelerate launch train_dreambooth_lora.py --pretrained_model_name_or_path=m --instance_data_dir=d --train_batch_size=1 --max_train_steps=500\n';
    expect(DIALECTS.find((d) => d.meta.id === 'kohya')!.detect(parseSource('a.sh', diffusers), env())).toBe(0);
    // sd-scripts also has a train_controlnet.py: kohya-only flags decide.
    expect(detected(parseSource('a.sh', 'accelerate launch train_controlnet.py --config_file c.toml --dataset_config d.toml\n'))).toBe('kohya');
  });
});

describe('kohya plans', () => {
  test('sdxl_lora.toml: 4 × 2 per GPU, unet_lr, 3000 steps, warmup 150 steps, checkpoints every 500', () => {
    const { plan, ignored, notes } = kohya.extract(load('sdxl_lora.toml'), env({ worldSize: 1 }));
    expect(plan.globalBatchSize?.value).toBe(8);
    expect(plan.peakLr).toMatchObject({ value: 1e-4, key: 'unet_lr' });
    expect(plan.totalSteps).toMatchObject({ value: 3000, origin: 'explicit' });
    expect(plan.warmupSteps).toMatchObject({ value: 150, key: 'lr_warmup_steps' });
    expect(plan.saveEverySteps?.value).toBe(500);
    expect(plan.precision?.value).toBe('bf16');
    expect(ignored).toEqual([]);
    expect(notes[0]).toContain('dataset_config');
    expect(Object.values(plan).every((v) => v !== undefined)).toBe(true);
  });

  test('an integer warmup lasts 1/N on N GPUs (ignored-setting); a float below 1 is a ratio of the run', () => {
    const four = kohya.extract(load('sdxl_lora.toml'), env({ worldSize: 4 }));
    expect(four.plan.warmupSteps).toMatchObject({ value: 37.5, origin: 'derived' });
    expect(four.ignored?.map((i) => [i.key, i.critical])).toEqual([['lr_warmup_steps', undefined]]);
    expect(four.ignored?.[0].message).toContain('write it as a ratio (0.05) or as 600');
    const ratio = kohya.extract(toml(`${LORA}lr_scheduler = "cosine"\nlr_warmup_steps = 0.05\nmax_train_steps = 2000\n`), env({ worldSize: 4 }));
    expect(ratio.plan.warmupRatio?.value).toBe(0.05);
    expect(ratio.plan.warmupSteps?.value).toBe(100);
    expect(ratio.ignored).toEqual([]);
  });

  test('a TOML float ≥ 1 is a ratio too: 100.0 is 10000% of the run', () => {
    const { plan, notes } = kohya.extract(toml(`${LORA}lr_scheduler = "cosine"\nlr_warmup_steps = 100.0\n`), env());
    expect(plan.totalSteps).toMatchObject({ value: 1600, origin: 'default' });
    expect(plan.warmupSteps?.value).toBe(160000);
    expect(notes.some((n) => n.includes('is a TOML float'))).toBe(true);
  });

  test('constant (the default) or adafactor with a warmup refuses to start: conflicting-settings', () => {
    const { conflicts = [] } = kohya.extract(toml(`${LORA}lr_warmup_steps = 100\n`), env());
    expect(conflicts.map((c) => c.kind)).toEqual(['warmup-with-constant']);
    expect(conflicts[0].message).toContain('lr_scheduler constant (default)');
    expect(kohya.extract(toml(`${LORA}lr_scheduler = "constant_with_warmup"\nlr_warmup_steps = 100\n`), env()).conflicts).toEqual([]);
  });

  test('max_train_epochs overrides max_train_steps (critical); steps per epoch need the dataset size', () => {
    const text = `${LORA}max_train_epochs = 10\nmax_train_steps = 5000\n`;
    const { plan, ignored = [], missing } = kohya.extract(toml(text), env({ worldSize: 2 }));
    expect(ignored.map((i) => [i.key, i.critical])).toEqual([['max_train_steps', true]]);
    expect(plan.totalSteps).toBeUndefined();
    expect(missing.map((m) => m.field)).toContain('totalSteps');
    const sized = kohya.extract(toml(text), env({ worldSize: 2, datasetSamples: 400 })).plan;
    expect(sized.stepsPerEpoch?.value).toBe(100); // ceil(ceil(400 / 2) / 2 / 1)
    expect(sized.totalSteps?.value).toBe(1000);
  });

  test('unknown TOML keys: GUI names, other frameworks, typos; model-specific keys trainlint does not list are left alone', () => {
    const text = `[training]\n${LORA}epoch = 10\nlr = 3e-4\nmax_train_step = 3000\noptimizer = "Prodigy"\nsome_new_flux_flag = true\n`;
    const { ignored = [] } = kohya.extract(toml(text), env());
    expect(ignored.map((i) => [i.key, i.critical])).toEqual([
      ['training.epoch', true],
      ['training.lr', true],
      ['training.max_train_step', true],
      ['training.optimizer', false],
    ]);
    expect(ignored[2].message).toContain('did you mean max_train_steps?');
    expect(ignored[0].message).toContain('the run length stays max_train_steps 1600 (default)');
  });

  test('the launcher mixed_precision is overridden by the script default "no"; full_fp16 without fp16 refuses to start', () => {
    const cmd = 'accelerate launch --mixed_precision fp16 train_network.py --network_module=networks.lora --full_fp16 --max_train_steps=100\n';
    const { ignored = [], conflicts = [], plan } = kohya.extract(parseSource('t.sh', cmd), env());
    expect(plan.precision).toMatchObject({ value: 'no', origin: 'default' });
    expect(ignored.map((i) => i.key)).toEqual(['--mixed_precision']);
    expect(conflicts.map((c) => c.kind)).toEqual(['precision']);
  });

  test('train.sh: --config_file leaves the TOML keys unknown on the command line; the second command is noted', () => {
    const { plan, notes } = kohya.extract(load('train.sh'), env());
    expect(plan.worldSize).toMatchObject({ value: 2, origin: 'launcher' });
    expect(plan.microBatchSize).toBeUndefined();
    expect(notes.filter((n) => n.startsWith('--config_file sdxl_lora.toml:'))).toEqual([expect.stringMatching(/^--config_file sdxl_lora\.toml: (\w+, )*train_batch_size(, \w+)* come from that file \(linted on its own\) or the defaults, so they are left unknown here$/)]);
    expect(notes.some((n) => n.includes('2 sd-scripts commands'))).toBe(true);
  });

  test('gui-lora.json: lr_warmup 10% of max_train_steps "1200" → 120 steps, GUI optimizer name, one process', () => {
    const { plan, ignored } = kohya.extract(load('gui-lora.json'), env());
    expect(plan.worldSize?.value).toBe(1);
    expect(plan.totalSteps).toMatchObject({ value: 1200, key: 'max_train_steps' });
    expect(plan.warmupSteps).toMatchObject({ value: 120, origin: 'derived' });
    expect(plan.optimizer?.value).toBe('AdamW8bit');
    expect(plan.peakLr).toMatchObject({ value: 1e-4, key: 'unet_lr' });
    expect(ignored).toEqual([]); // GUI names are the GUI's own
  });

  test('a launch script naming the TOML passes its world size: the integer warmup is reported on the TOML', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trainlint-kohya-'));
    try {
      for (const f of ['train.sh', 'sdxl_lora.toml']) cpSync(path.join(fixturesDir('kohya'), f), path.join(dir, f));
      const { results } = await lint({ root: dir, paths: [], config: {} });
      const findings = results.flatMap((r) => r.findings.map((f) => `${f.path}:${f.range.line} ${f.ruleId}`));
      expect(findings).toContain('sdxl_lora.toml:17 ignored-setting');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const CORPUS = path.join(__dirname, '..', '..', '..', 'shared', 'corpus-wave2');
const describeCorpus = sharedDescribe(CORPUS);

describeCorpus('kohya corpus-wave2 sweep', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = path.join(dir, n);
      return statSync(p).isDirectory() ? files(p) : /\.(toml|json|ya?ml)$/.test(n) ? [p] : [];
    });
  const read = (p: string) => parseSource(path.relative(CORPUS, p), readFileSync(p, 'utf8'));
  const claims = (p: string) => DIALECTS.filter((d) => d.detect(read(p), env()) > 0).map((d) => d.meta.id);
  /** Dataset configs (`[[datasets]]`, `[general]` only) are not training files. */
  const isDataset = (p: string) => /^\s*\[\[?(?:datasets|general)/m.test(readFileSync(p, 'utf8')) && !/network_module|learning_rate|max_train/.test(readFileSync(p, 'utf8'));

  test('bmaltais__kohya_ss: ≥ 95% of the GUI presets and saved configs are kohya; dataset TOMLs, the GUI settings file and the accelerate config get nothing', () => {
    const all = files(path.join(CORPUS, 'bmaltais__kohya_ss'));
    const training = all.filter((p) => p.endsWith('.json'));
    expect(training.length).toBeGreaterThanOrEqual(45);
    const right = training.filter((p) => detected(read(p)) === 'kohya');
    expect(right.length / training.length).toBeGreaterThanOrEqual(0.95);
    const negatives = all.filter((p) => !p.endsWith('.json'));
    expect(negatives.length).toBeGreaterThanOrEqual(6);
    expect(negatives.flatMap(claims)).toEqual([]);
  });

  test('kohya-ss__sd-scripts: the training-argument TOML blocks are kohya; the dataset-config blocks get nothing', () => {
    const all = files(path.join(CORPUS, 'kohya-ss__sd-scripts'));
    const datasets = all.filter(isDataset);
    const training = all.filter((p) => !datasets.includes(p));
    expect(training.length).toBeGreaterThanOrEqual(2);
    expect(training.filter((p) => detected(read(p)) === 'kohya').length / training.length).toBeGreaterThanOrEqual(0.95);
    expect(datasets.length).toBeGreaterThanOrEqual(15);
    expect(datasets.flatMap(claims)).toEqual([]);
  });
});

describe('kohya: the integer-warmup rule on N GPUs, whatever gives N; GUI advice in the GUI\'s unit', () => {
  const GUI = (warmup: string, steps: string) =>
    parseSource('preset.json', JSON.stringify({ LoRA_type: 'Standard', epoch: 10, lr_scheduler: 'cosine', max_resolution: '1024,1024', optimizer: 'AdamW8bit', train_batch_size: 2, unet_lr: '0.0001', network_dim: 32, mixed_precision: 'bf16', multi_gpu: true, num_processes: 2, max_train_steps: steps, ...JSON.parse(warmup) }, null, 2));

  test('GUI lr_warmup without a dataset_config: the current GUI passes lr_warmup / 100, a ratio, right on any GPU count (older GUIs: a note)', () => {
    const { plan, ignored = [], notes } = kohya.extract(GUI('{"lr_warmup": 10}', '2000'), env());
    expect(ignored).toEqual([]);
    expect(plan.warmupRatio).toMatchObject({ value: 0.1, origin: 'derived', key: 'lr_warmup' });
    expect(plan.warmupSteps).toMatchObject({ value: 200, key: 'lr_warmup', writtenAs: { unit: '%', perStep: 0.05 } });
    expect(notes.some((n) => n.startsWith('lr_warmup 10%: read as the current kohya_ss GUI passes it, lr_warmup_steps 0.1') && n.includes('older GUIs'))).toBe(true);
  });

  test('GUI lr_warmup with a dataset_config and max_train_steps: an integer, round(lr_warmup × max_train_steps / 100); the advice is the percentage that lasts as long on N GPUs', () => {
    const { plan, ignored = [] } = kohya.extract(GUI('{"lr_warmup": 10, "dataset_config": "d.toml"}', '2000'), env());
    expect(plan.warmupSteps).toMatchObject({ value: 100, key: 'lr_warmup' });
    expect(ignored.map((i) => i.message)).toEqual([
      'lr_warmup 10 (10% of max_train_steps 2000 = 200 scheduler ticks) lasts 100 optimizer steps on 2 GPUs, not 200: sd-scripts multiplies the total steps by the GPU count but not the integer lr_warmup_steps the GUI passes; write lr_warmup: 20 (400 scheduler ticks = 200 optimizer steps on 2 GPUs)',
    ]);
    // Past the GUI's 100%: its absolute lr_warmup_steps, in scheduler ticks.
    const long = kohya.extract(GUI('{"lr_warmup": 60, "dataset_config": "d.toml"}', '2000'), env()).ignored ?? [];
    expect(long[0].message).toMatch(/needs 120%, past the GUI's 100%: set lr_warmup_steps: 2,?400 instead \(scheduler ticks, 1,?200 optimizer steps on 2 GPUs\)$/);
    // The GUI's absolute lr_warmup_steps: no ratio (the GUI passes an integer), N times the ticks.
    const abs = kohya.extract(GUI('{"lr_warmup": 0, "lr_warmup_steps": 150}', '2000'), env()).ignored ?? [];
    expect(abs[0].message).toMatch(/^lr_warmup_steps 150 lasts 75 optimizer steps on 2 GPUs, not 150: .*; write lr_warmup_steps: 300 \(scheduler ticks, 150 optimizer steps on 2 GPUs\)$/);
  });

  test('an accelerate config\'s num_processes (accelerate launch --config_file) divides the warmup as --num_processes does', () => {
    const cmd = parseSource('train.sh', 'accelerate launch --config_file accel_2gpu.yaml --num_cpu_threads_per_process=2 train_network.py --config_file lora.toml\n');
    const [launch] = scriptLaunches(cmd);
    const accelerate = accelerateLink(parseSource('accel_2gpu.yaml', 'compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_GPU\nmixed_precision: bf16\nnum_machines: 1\nnum_processes: 2\n'), 'accel_2gpu.yaml', launch.accelerateConfig!.range);
    const values = { ...accelerateValues(launch.accelerateConfig!, accelerate, 'train.sh:1'), ...launch.values };
    const config = toml(`${LORA}lr_scheduler = "cosine"\nlr_warmup_steps = 300\nmax_train_steps = 3000\nmixed_precision = "bf16"\n`, 'lora.toml');
    const { plan, ignored = [] } = kohya.extract(config, env(values));
    expect(plan.worldSize).toMatchObject({ value: 2, origin: 'launcher', file: 'accel_2gpu.yaml', key: 'num_processes' });
    expect(plan.warmupSteps).toMatchObject({ value: 150, origin: 'derived' });
    expect(ignored.map((i) => i.message)).toEqual(['lr_warmup_steps 300 lasts 150 optimizer steps on 2 GPUs, not 300: sd-scripts multiplies the total steps by the GPU count but not an integer warmup; write it as a ratio (0.1) or as 600']);
  });
});

describe('kohya: the flags after --config_file win over the TOML (parse_args(namespace=config_args))', () => {
  const TOML = '[net]\nnetwork_module = "networks.lora"\n[train]\noptimizer_type = "AdamW8bit"\nlearning_rate = 2e-4\nlr_scheduler = "cosine"\nlr_warmup_steps = 100\nmax_train_steps = 3000\ntrain_batch_size = 2\nmixed_precision = "bf16"\n';
  const launched = (command: string, text = TOML) => {
    const [launch] = scriptLaunches(parseSource('go.sh', `${command}\n`));
    return kohya.extract(launchedConfig(toml(text, 'lora.toml'), launch, kohya), env(launch.values));
  };

  test('a ratio, the run length and the precision on the command line replace the TOML values (origin launcher, at the flag)', () => {
    const { plan, ignored = [] } = launched('accelerate launch --num_processes 4 sdxl_train_network.py --config_file lora.toml --lr_warmup_steps 0.05 --max_train_steps 6000 --mixed_precision fp16');
    expect(plan.totalSteps).toMatchObject({ value: 6000, origin: 'launcher', file: 'go.sh', key: '--max_train_steps' });
    expect(plan.warmupRatio).toMatchObject({ value: 0.05, origin: 'launcher' });
    expect(plan.warmupSteps).toMatchObject({ value: 300, file: 'go.sh', key: '--lr_warmup_steps' });
    expect(plan.precision).toMatchObject({ value: 'fp16', origin: 'launcher' });
    expect(ignored).toEqual([]);
  });

  test('a command-line integer is a count (int_or_float), and --dataset_config there brings its batch-size note', () => {
    const { plan, notes, ignored = [] } = launched('accelerate launch --num_processes 4 sdxl_train_network.py --config_file lora.toml --dataset_config d.toml --lr_warmup_steps 400');
    expect(plan.warmupSteps).toMatchObject({ value: 100, origin: 'derived', file: 'go.sh' });
    // The script's own plan reports the flag; its launched TOML does not repeat it.
    expect(ignored).toEqual([]);
    expect(notes.some((n) => n.startsWith('dataset_config: a `[[datasets]] batch_size` there overrides train_batch_size'))).toBe(true);
  });

  test('a warmup flag against the TOML\'s constant scheduler refuses to start; an unknown flag is argparse\'s, not a silently ignored TOML key', () => {
    const constant = TOML.replace('"cosine"', '"constant"').replace('lr_warmup_steps = 100\n', '');
    const { conflicts = [], ignored = [] } = launched('accelerate launch --num_processes 2 train_network.py --config_file lora.toml --lr_warmup_steps 50 --epochs 3', constant);
    expect(conflicts.map((c) => [c.kind, c.range.line])).toEqual([['warmup-with-constant', 1]]);
    expect(conflicts[0].message).toMatch(/^--lr_warmup_steps 50 \(the launch command at go.sh:1\) with lr_scheduler constant/);
    expect(ignored).toEqual([]);
  });
});

describe('kohya: a ratio warmup with constant is int(ratio × max_train_steps × N) ticks before the check', () => {
  const TOML = (warmup: string) => `${LORA}lr_scheduler = "constant"\nlr_warmup_steps = ${warmup}\nmax_train_steps = 1600\n`;

  test('0.0001 × 1600 × 4 = 0 ticks: no warmup and no error; 0.001 is 6 ticks: refuses to start', () => {
    const zero = kohya.extract(toml(TOML('0.0001')), env({ worldSize: 4 }));
    expect(zero.conflicts).toEqual([]);
    expect(zero.notes.some((n) => n.includes('= 0 scheduler ticks, so there is no warmup'))).toBe(true);
    const six = kohya.extract(toml(TOML('0.001')), env({ worldSize: 4 }));
    expect(six.conflicts?.map((c) => c.kind)).toEqual(['warmup-with-constant']);
    expect(six.conflicts?.[0].message).toContain('(int(0.001 × 1600 × 4) = 6 scheduler ticks)');
  });

  test('with the GPU count unknown, a ratio that gives 0 ticks on one GPU is undecided (a note), one that gives ticks is an error', () => {
    const undecided = kohya.extract(toml(TOML('0.0001')), env());
    expect(undecided.conflicts).toEqual([]);
    expect(undecided.notes.some((n) => n.includes('the GPU count is unknown here'))).toBe(true);
    expect(kohya.extract(toml(TOML('0.01')), env()).conflicts?.map((c) => c.kind)).toEqual(['warmup-with-constant']);
  });
});
