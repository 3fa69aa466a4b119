/**
 * kohya's built-in schema follows the file's format (DialectMeta.schemaFor): a kohya_ss GUI JSON preset writes
 * numbers as strings on purpose (kohya-gui.schema.json checks mixed_precision only); an sd-scripts TOML is typed
 * (kohya.schema.json) even with GUI keys left in it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kohya } from '../src/dialects/kohya';
import { lint } from '../src/engine/lint';
import { parseSource } from '../src/engine/load-file';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

async function schemaFindings(name: string, text: string): Promise<string[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-kohya-schema-'));
  made.push(root);
  fs.writeFileSync(path.join(root, name), text);
  const { results } = await lint({ root, paths: [name], config: {} });
  return results.flatMap((r) => r.findings).filter((f) => f.ruleId === 'schema').map((f) => f.message);
}

const GUI = JSON.stringify(
  { LoRA_type: 'Standard', epoch: '10', lr_warmup: '5', learning_rate: '0.0001', train_batch_size: '2', max_resolution: '1024,1024', mixed_precision: 'bf16', optimizer: 'AdamW8bit' },
  null,
  2,
);

describe('kohya: the schema by file format', () => {
  test('schemaFor: JSON is GUI, TOML and scripts are sd-scripts', () => {
    const of = (name: string, text: string, format: 'json' | 'toml' | 'shell') => kohya.meta.schemaFor?.(parseSource(name, text, {}, format));
    expect(of('preset.json', GUI, 'json')).toBe('kohya-gui.schema.json');
    expect(of('lora.toml', 'learning_rate = 1e-4\nepoch = 16\n', 'toml')).toBe('kohya.schema.json');
    expect(of('train.sh', 'accelerate launch train_network.py --learning_rate 1e-4\n', 'shell')).toBe('kohya.schema.json');
  });

  test('a GUI JSON preset with numbers as strings has no schema finding; its mixed_precision is checked', async () => {
    expect(await schemaFindings('preset.json', GUI)).toEqual([]);
    const bad = await schemaFindings('preset.json', GUI.replace('"bf16"', '"fp32"'));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toContain('kohya-gui.schema.json');
  });

  test('a TOML with a GUI key left in it is still typed as sd-scripts reads it', async () => {
    const toml = 'pretrained_model_name_or_path = "/m/sd15.safetensors"\nnetwork_module = "networks.lora"\nlearning_rate = "1e-4"\nmax_train_steps = 1000\ntrain_batch_size = 1\nepoch = 16\n';
    const found = await schemaFindings('lora.toml', toml);
    expect(found).toEqual([expect.stringContaining('learning_rate must be number')]);
    expect(found[0]).toContain('kohya.schema.json');
  });
});
