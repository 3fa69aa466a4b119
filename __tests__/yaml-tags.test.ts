/**
 * YAML tags the framework's loader has no constructor for (engine/yaml-tags.ts): which tags the
 * loader reports, where, and which a dialect's loader constructs.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConfig } from '../src/config/load-config';
import { dialectById } from '../src/dialects/index';
import { loadYaml } from '../src/engine/load/yaml';
import { lint } from '../src/engine/lint';
import { constructsTag, unconstructedTags } from '../src/engine/yaml-tags';

describe('unresolved tags from the YAML loader', () => {
  test('local and python tags, on scalars and collections, block and flow, at the tag as written', () => {
    const text = [
      'a: !include lr.yaml',
      'b: !!python/tuple [0.9, 0.95]',
      'c: !env',
      '  x: 1',
      'd: [1, !ref other]',
      'e: {k: !!python/float 1.0e-6}',
      '',
    ].join('\n');
    const { unresolvedTags, problems } = loadYaml(text);
    expect(problems).toEqual([]);
    expect(unresolvedTags?.map((t) => [t.tag, t.range.line, t.range.column, t.range.endColumn])).toEqual([
      ['!include', 1, 4, 12],
      ['!!python/tuple', 2, 4, 18],
      ['!env', 3, 4, 8],
      ['!ref', 5, 8, 12],
      ['!!python/float', 6, 8, 22],
    ]);
  });

  test("the tags PyYAML's SafeLoader constructs are not reported, nor the non-specific `!`", () => {
    const text = ['a: !!float 1e-4', 'b: !!str 12', 'c: !!int "3"', 'd: !!bool yes', 'e: !!null ""', 'f: !!set {x, y}', 'g: !!binary aGk=', 'h: ! 7', 'i: !!timestamp 2024-01-01', ''].join('\n');
    const result = loadYaml(text);
    expect(result.problems).toEqual([]);
    expect(result.unresolvedTags).toBeUndefined();
  });

  test('a file without tags takes the fast path and has none', () => {
    expect(loadYaml('lr: 1.0e-4\nname: hello!\n').unresolvedTags).toBeUndefined();
  });
});

describe('which tags a dialect loader constructs', () => {
  const tags = [
    { tag: '!include', range: { line: 1, column: 1, endLine: 1, endColumn: 9 } },
    { tag: '!!python/tuple', range: { line: 2, column: 1, endLine: 2, endColumn: 15 } },
  ];
  test.each([
    ['hf-trainer', ['!include', '!!python/tuple']],
    ['torchtune', ['!include', '!!python/tuple']],
    ['levanter', []],
    ['detectron2', ['!include']],
    ['gpt-neox', ['!include']],
    ['mmengine', ['!include']],
    ['megatron', []],
    ['generic', []],
  ])('%s stops on %j', (id, stops) => {
    const meta = dialectById(id)!.meta;
    expect(unconstructedTags(tags, meta).map((t) => t.tag)).toEqual(stops);
  });

  test('a prefix ending in / takes every tag under it; anything else only itself', () => {
    expect(constructsTag({ yamlTags: ['!!python/'] }, '!!python/object:foo.Bar')).toBe(true);
    expect(constructsTag({ yamlTags: ['!!python/'] }, '!!pythonic')).toBe(false);
    expect(constructsTag({ yamlTags: ['!include'] }, '!include_dir')).toBe(false);
    expect(constructsTag({}, '!include')).toBe(false);
    expect(constructsTag({ yamlTags: 'any' }, '!anything')).toBe(true);
  });
});

describe('lint', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trainlint-tags-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = async () => {
    const { config } = readConfig(dir);
    const { results } = await lint({ root: dir, paths: [], config });
    return results.flatMap((r) => r.findings.map((f) => `${r.file.path}:${f.range.line}:${f.range.column} ${f.ruleId}`));
  };

  const sft = (lr: string) =>
    ['model_name_or_path: meta-llama/Llama-3.1-8B', 'output_dir: out', `learning_rate: ${lr}`, 'per_device_train_batch_size: 8', 'gradient_accumulation_steps: 4', 'max_steps: 1000', 'warmup_steps: 50', 'bf16: true', ''].join('\n');

  test('one finding for the tag, none from the schema for the value under it', async () => {
    writeFileSync(path.join(dir, 'sft.yaml'), sft('!include lr.yaml'));
    expect(await run()).toEqual(['sft.yaml:3:16 parse-error']);
  });

  test('the same value written as a plain string is a schema error', async () => {
    writeFileSync(path.join(dir, 'sft.yaml'), sft('lr.yaml'));
    expect(await run()).toEqual(['sft.yaml:3:1 schema']);
  });

  test('a Hydra fragment is loaded by the loader of the config it is composed into (verl: OmegaConf)', async () => {
    cpSync(path.join(__dirname, 'fixtures', 'dialects', 'verl', 'repo'), dir, { recursive: true });
    const fragment = path.join(dir, 'verl/trainer/config/optim/fsdp.yaml');
    writeFileSync(fragment, `${readFileSync(fragment, 'utf8')}betas: !!python/tuple [0.9, 0.999]\n`);
    const { config } = readConfig(dir);
    const { results } = await lint({ root: dir, paths: [], config });
    const r = results.find((x) => x.file.path === 'verl/trainer/config/optim/fsdp.yaml' && !x.launch)!;
    expect(r.composedInto).toBeDefined();
    expect(r.findings.map((f) => [f.ruleId, f.message.split(', which')[0]])).toEqual([['parse-error', "verl loads this file with OmegaConf's loader (a PyYAML SafeLoader)"]]);
  });

  test('a file no dialect claims: nothing (its loader is not known)', async () => {
    writeFileSync(path.join(dir, 'model.yaml'), 'hidden: !include hidden.yaml\nlayers: 12\n');
    expect(await run()).toEqual([]);
  });
});
