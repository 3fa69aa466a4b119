import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import type { Report } from '../src/engine/report-types.js';
import { escapeCommandData, escapeCommandProperty, stripTerminalControls } from '../src/report/escape.js';
import { formatGithub } from '../src/report/github.js';
import { formatReport } from '../src/report/index.js';
import { formatJson } from '../src/report/json.js';
import { buildSarif } from '../src/report/sarif.js';
import { formatStylish } from '../src/report/stylish.js';

const TRAIN_YAML = [
  'model: llama-7b',
  'training:',
  '  micro_batch_size: 16',
  '  grad_accum_steps: 2',
  '  global_batch_size: 512',
  '  lr: 3.0e-4',
  '  warmup_steps: 2000',
  '  max_steps: 1500',
  '',
].join('\n');

const LAUNCH_SH = ['#!/bin/bash', 'torchrun --nproc_per_node 8 \\', '  train.py --config configs/train.yaml', ''].join('\n');

function makeReport(): Report {
  return {
    version: 1,
    tool: { name: 'trainlint', version: '0.1.0' },
    files: [
      {
        path: 'configs/train.yaml',
        dialect: 'generic',
        plan: {
          worldSize: { value: 8, origin: 'launcher', file: 'scripts/launch.sh', key: '--nproc_per_node', line: 2, column: 10 },
          microBatchSize: { value: 16, origin: 'explicit', file: 'configs/train.yaml', key: 'training.micro_batch_size', line: 3, column: 3 },
          gradAccumSteps: { value: 2, origin: 'explicit', file: 'configs/train.yaml', key: 'training.grad_accum_steps', line: 4, column: 3 },
          globalBatchSize: { value: 512, origin: 'explicit', unit: 'samples', file: 'configs/train.yaml', key: 'training.global_batch_size', line: 5, column: 3 },
          peakLr: { value: 0.0003, origin: 'explicit', file: 'configs/train.yaml', key: 'training.lr', line: 6, column: 3 },
          warmupSteps: { value: 2000, origin: 'explicit', unit: 'steps', file: 'configs/train.yaml', key: 'training.warmup_steps', line: 7, column: 3 },
          totalSteps: { value: 1500, origin: 'explicit', unit: 'steps', file: 'configs/train.yaml', key: 'training.max_steps', line: 8, column: 3 },
          precision: { value: 'bf16', origin: 'default', note: 'framework default' },
        },
      },
      { path: 'scripts/launch.sh', dialect: null, plan: {}, reason: 'launch script' },
    ],
    findings: [
      {
        ruleId: 'warmup-exceeds-training',
        severity: 'warning',
        message: 'warmup (2000 steps) is longer than training (1500 steps)',
        path: 'configs/train.yaml',
        line: 7,
        column: 17,
        endLine: 7,
        endColumn: 21,
        data: { warmupSteps: 2000, totalSteps: 1500 },
      },
      {
        ruleId: 'batch-size-mismatch',
        severity: 'error',
        message: 'global batch size 512 ≠ 8 × 16 × 2 = 256',
        path: 'configs/train.yaml',
        line: 5,
        column: 22,
        endLine: 5,
        endColumn: 25,
        data: { globalBatchSize: 512, product: 256 },
        fix: 'set global_batch_size: 256',
      },
      {
        ruleId: 'lr-not-rescaled',
        severity: 'info',
        message: 'world size comes from the launcher',
        path: 'scripts/launch.sh',
        line: 2,
        column: 10,
        endLine: 3,
        endColumn: 38,
        data: {},
      },
    ],
    summary: { files: 2, errors: 1, warnings: 1, infos: 1 },
  };
}

const SOURCES = new Map([
  ['configs/train.yaml', TRAIN_YAML],
  ['scripts/launch.sh', LAUNCH_SH],
]);

describe('escape helpers', () => {
  test('escapeCommandData escapes %, CR and LF only', () => {
    expect(escapeCommandData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
    expect(escapeCommandData('%0A')).toBe('%250A');
  });

  test('escapeCommandProperty also escapes : and ,', () => {
    expect(escapeCommandProperty('C:\\a,b%\n')).toBe('C%3A\\a%2Cb%25%0A');
    expect(escapeCommandProperty('trainlint (batch-size-mismatch)')).toBe('trainlint (batch-size-mismatch)');
  });

  test('stripTerminalControls removes escape sequences and control characters except tab', () => {
    expect(stripTerminalControls('\x1b[31mred\x1b[0m')).toBe('red');
    expect(stripTerminalControls('a\x1b]8;;https://evil\x07link\x1b]8;;\x07b')).toBe('alinkb');
    expect(stripTerminalControls('t\x1b]0;title\x1b\\x')).toBe('tx');
    expect(stripTerminalControls('\x1bPq#0\x1b\\ok')).toBe('ok');
    expect(stripTerminalControls('\u009b2Jclear\u009d0;t\u009c')).toBe('clear');
    expect(stripTerminalControls('a\x1bcb\x1b(Bc')).toBe('abc');
    expect(stripTerminalControls('x\x1b]8;;unterminated')).toBe('x8;;unterminated');
    expect(stripTerminalControls('\x1b\x1b[0m[31m')).toBe('[31m');
    expect(stripTerminalControls('bell\x07 bs\x08 nul\x00 del\x7f c1\u0085')).toBe('bell bs nul del c1');
    expect(stripTerminalControls('one\ntwo\r\nthree\rfour')).toBe('one two three four');
    expect(stripTerminalControls('\tkeep\ttabs é ≠ 🚀')).toBe('\tkeep\ttabs é ≠ 🚀');
  });
});

describe('json', () => {
  test('pretty, 2-space, trailing newline, round-trips', () => {
    const report = makeReport();
    const out = formatJson(report);
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.startsWith('{\n  "version": 1,\n  "tool": {\n    "name": "trainlint",')).toBe(true);
    expect(JSON.parse(out)).toEqual(report);
    expect(formatReport('json', report, { color: false, sources: SOURCES })).toBe(out);
  });
});

describe('stylish', () => {
  test('golden, no colour', () => {
    const out = formatStylish(makeReport(), { color: false, sources: SOURCES });
    expect(out).toBe(
      [
        'configs/train.yaml',
        '  5:22  error    global batch size 512 ≠ 8 × 16 × 2 = 256                  batch-size-mismatch',
        '    5 |   global_batch_size: 512',
        '      |                      ^~~',
        '  7:17  warning  warmup (2000 steps) is longer than training (1500 steps)  warmup-exceeds-training',
        '    7 |   warmup_steps: 2000',
        '      |                 ^~~~',
        '',
        'scripts/launch.sh',
        '  2:10  info  world size comes from the launcher  lr-not-rescaled',
        '    2 | torchrun --nproc_per_node 8 \\',
        '      |          ^~~~~~~~~~~~~~~~~~~~',
        '',
        '✖ 3 problems (1 error, 1 warning, 1 info)',
        '',
      ].join('\n'),
    );
    expect(out).not.toContain('\x1b');
    expect(formatReport('stylish', makeReport(), { color: false, sources: SOURCES })).toBe(out);
  });

  test('golden, colour', () => {
    const out = formatStylish(makeReport(), { color: true, sources: SOURCES });
    const lines = out.split('\n');
    expect(lines[0]).toBe('\x1b[4mconfigs/train.yaml\x1b[24m');
    expect(lines[1]).toBe(
      '  \x1b[2m5:22\x1b[22m  \x1b[31merror  \x1b[39m  global batch size 512 ≠ 8 × 16 × 2 = 256                  \x1b[2mbatch-size-mismatch\x1b[22m',
    );
    expect(lines[2]).toBe('\x1b[2m    5 |   global_batch_size: 512\x1b[22m');
    expect(lines[3]).toBe('\x1b[2m      |\x1b[22m                      \x1b[31m^~~\x1b[39m');
    expect(lines[4]).toContain('\x1b[33mwarning\x1b[39m');
    expect(lines[9]).toContain('\x1b[34minfo\x1b[39m');
    expect(lines[13]).toBe('\x1b[1m\x1b[31m✖ 3 problems (1 error, 1 warning, 1 info)\x1b[39m\x1b[22m');
    expect(out.replace(/\x1b\[\d+m/g, '')).toBe(formatStylish(makeReport(), { color: false, sources: SOURCES }));
  });

  test('clean report', () => {
    const report = makeReport();
    report.findings = [];
    report.summary = { files: 12, errors: 0, warnings: 0, infos: 0 };
    expect(formatStylish(report, { color: false, sources: SOURCES })).toBe('✔ no problems in 12 files\n');
    report.summary.files = 1;
    expect(formatStylish(report, { color: true, sources: SOURCES })).toBe('\x1b[32m✔ no problems in 1 file\x1b[39m\n');
  });

  test('summary wording: singular, plural and zero', () => {
    const report = makeReport();
    report.findings = [report.findings[0], { ...report.findings[0], line: 8, column: 14, endColumn: 18 }];
    report.summary = { files: 2, errors: 0, warnings: 2, infos: 0 };
    const out = formatStylish(report, { color: false, sources: SOURCES });
    expect(out.endsWith('\n✖ 2 problems (0 errors, 2 warnings, 0 infos)\n')).toBe(true);
    report.findings = [report.findings[0]];
    report.summary = { files: 2, errors: 0, warnings: 1, infos: 0 };
    expect(formatStylish(report, { color: false, sources: SOURCES }).endsWith('\n✖ 1 problem (0 errors, 1 warning, 0 infos)\n')).toBe(true);
  });

  test('strips terminal escapes from messages, paths, rule ids and source lines', () => {
    const report = makeReport();
    const evilPath = 'configs/\x1b[2Jtrain.yaml';
    report.files = [{ path: evilPath, dialect: null, plan: {} }];
    report.findings = [
      {
        ruleId: 'schema\x07',
        severity: 'error',
        message: 'click \x1b]8;;evil\x07here\x1b]8;;\x07\nnow',
        path: evilPath,
        line: 1,
        column: 11,
        endLine: 1,
        endColumn: 14,
        data: {},
      },
    ];
    report.summary = { files: 1, errors: 1, warnings: 0, infos: 0 };
    const sources = new Map([[evilPath, 'key: \x1b[31mred\x1b[0m: 1\r\n']]);
    for (const color of [false, true]) {
      const out = formatStylish(report, { color, sources });
      expect(out).not.toContain('evil');
      expect(out).not.toContain('\x07');
      expect(out).not.toContain('\x1b]');
      expect(out).not.toContain('\x1b[2J');
      expect(out).not.toContain('\x1b[31mred');
    }
    // The marker stays under `red` although escape codes before it were removed.
    expect(formatStylish(report, { color: false, sources })).toBe(
      [
        'configs/train.yaml',
        '  1:11  error  click here now  schema',
        '    1 | key: red: 1',
        '      |      ^~~',
        '',
        '✖ 1 problem (1 error, 0 warnings, 0 infos)',
        '',
      ].join('\n'),
    );
  });

  test('tabs before the range are kept in the marker indent; missing sources get no frame', () => {
    const report = makeReport();
    report.findings = [
      { ...report.findings[1], line: 2, column: 3, endLine: 2, endColumn: 6 },
      { ...report.findings[1], line: 40, column: 1, endLine: 40, endColumn: 2 },
    ];
    report.summary = { files: 2, errors: 2, warnings: 0, infos: 0 };
    const out = formatStylish(report, { color: false, sources: new Map([['configs/train.yaml', 'a:\n\t\tbar: 1\n']]) });
    expect(out).toBe(
      [
        'configs/train.yaml',
        '   2:3  error  global batch size 512 ≠ 8 × 16 × 2 = 256  batch-size-mismatch',
        '     2 | \t\tbar: 1',
        '       | \t\t^~~',
        '  40:1  error  global batch size 512 ≠ 8 × 16 × 2 = 256  batch-size-mismatch',
        '',
        '✖ 2 problems (2 errors, 0 warnings, 0 infos)',
        '',
      ].join('\n'),
    );
    expect(formatStylish(report, { color: false, sources: new Map() })).not.toContain('|');
  });
});

describe('stylish: long messages and related locations', () => {
  const long =
    'the run is 50 optimizer steps (--train-iters) but its schedule is sized for 990000 (--lr-decay-iters): warmup (9900 steps) never ends; ' +
    'the decay never starts; to size it for 50 steps: drop --lr-decay-iters (it defaults to the run length) or set --lr-decay-iters 50';

  function grouped(): Report {
    const report = makeReport();
    report.findings = [
      { ...report.findings[1] },
      {
        ...report.findings[0],
        ruleId: 'decay-horizon-mismatch',
        message: long,
        line: 8,
        column: 3,
        endColumn: 12,
        related: [
          { path: 'configs/train.yaml', line: 7, column: 3, message: "warmup 2000 steps (training.warmup_steps) ≥ the run's 1500 optimizer steps: the LR never reaches its peak" },
          { path: 'scripts/launch.sh', line: 2, column: 10, message: 'the launcher' },
        ],
      },
    ];
    report.summary = { files: 2, errors: 1, warnings: 1, infos: 0 };
    return report;
  }

  test('a message that does not fit goes on its own wrapped lines; the rule id stays on the finding line; every line fits', () => {
    const out = formatStylish(grouped(), { color: false, sources: SOURCES });
    expect(out).toBe(
      [
        'configs/train.yaml',
        '  5:22  error    global batch size 512 ≠ 8 × 16 × 2 = 256  batch-size-mismatch',
        '    5 |   global_batch_size: 512',
        '      |                      ^~~',
        '  8:3   warning  decay-horizon-mismatch',
        '    the run is 50 optimizer steps (--train-iters) but its schedule is sized for 990000',
        '    (--lr-decay-iters): warmup (9900 steps) never ends; the decay never starts; to size it for 50',
        '    steps: drop --lr-decay-iters (it defaults to the run length) or set --lr-decay-iters 50',
        '    8 |   max_steps: 1500',
        '      |   ^~~~~~~~~',
        "    related 7:3 warmup 2000 steps (training.warmup_steps) ≥ the run's 1500 optimizer steps",
        '    related scripts/launch.sh:2:10 the launcher',
        '',
        '✖ 2 problems (1 error, 1 warning, 0 infos)',
        '',
      ].join('\n'),
    );
    for (const line of out.split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(100);
  });

  test('the width is an option; colour codes do not count', () => {
    const narrow = formatStylish(grouped(), { color: false, sources: SOURCES, width: 60 });
    for (const line of narrow.split('\n').filter((l) => !l.includes(' | '))) expect(Array.from(line).length).toBeLessThanOrEqual(60);
    const coloured = formatStylish(grouped(), { color: true, sources: SOURCES });
    expect(coloured.replace(/\x1b\[\d+m/g, '')).toBe(formatStylish(grouped(), { color: false, sources: SOURCES }));
  });
});

describe('sarif', () => {
  test('related locations become relatedLocations with ids, repo-relative URIs and messages', () => {
    const report = makeReport();
    report.findings[0].related = [{ path: 'configs/train.yaml', line: 8, column: 3, message: 'the run length' }];
    const sarif = buildSarif(report) as { runs: { results: Record<string, unknown>[] }[] };
    const [first, second] = sarif.runs[0].results;
    expect(first.relatedLocations).toEqual([
      {
        id: 0,
        physicalLocation: { artifactLocation: { uri: 'configs/train.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 8, startColumn: 3 } },
        message: { text: 'the run length' },
      },
    ]);
    expect(second.relatedLocations).toBeUndefined();
  });
});

describe('github', () => {
  test('golden: errors, then warnings, then notices; col omitted for multi-line ranges', () => {
    const out = formatGithub(makeReport());
    expect(out).toBe(
      [
        '::error file=configs/train.yaml,line=5,endLine=5,col=22,endColumn=25,title=trainlint (batch-size-mismatch)::configs/train.yaml:5:22: global batch size 512 ≠ 8 × 16 × 2 = 256',
        '::warning file=configs/train.yaml,line=7,endLine=7,col=17,endColumn=21,title=trainlint (warmup-exceeds-training)::configs/train.yaml:7:17: warmup (2000 steps) is longer than training (1500 steps)',
        '::notice file=scripts/launch.sh,line=2,endLine=3,title=trainlint (lr-not-rescaled)::scripts/launch.sh:2:10: world size comes from the launcher',
        '',
      ].join('\n'),
    );
    expect(formatReport('github', makeReport(), { color: true, sources: SOURCES })).toBe(out);
  });

  test('escapes properties and data', () => {
    const report = makeReport();
    report.findings = [
      {
        ruleId: 'schema',
        severity: 'warning',
        message: 'lr is 100% too high\nsee: docs, r\u0000',
        path: 'cfg/a:b,c%.yaml',
        line: 3,
        column: 1,
        endLine: 3,
        endColumn: 4,
        data: {},
      },
    ];
    expect(formatGithub(report)).toBe(
      '::warning file=cfg/a%3Ab%2Cc%25.yaml,line=3,endLine=3,col=1,endColumn=4,title=trainlint (schema)::' +
        'cfg/a:b,c%25.yaml:3:1: lr is 100%25 too high%0Asee: docs, r\u0000\n',
    );
  });

  test('stable order within a severity; empty report prints nothing', () => {
    const report = makeReport();
    const [w, e, i] = report.findings;
    report.findings = [i, w, { ...e, line: 1 }, { ...w, line: 1 }, e];
    const kinds = formatGithub(report)
      .trimEnd()
      .split('\n')
      .map((l) => l.slice(0, l.indexOf(' ')) + ' ' + /line=(\d+)/.exec(l)![1]);
    expect(kinds).toEqual(['::error 1', '::error 5', '::warning 7', '::warning 1', '::notice 2']);
    report.findings = [];
    expect(formatGithub(report)).toBe('');
  });
});

describe('report schema', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../schemas/report.schema.json'), 'utf8'));
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const validate = ajv.compile(schema);

  test('has an $id, title and description', () => {
    expect(schema.$id).toBe('report.schema.json');
    expect(typeof schema.title).toBe('string');
    expect(typeof schema.description).toBe('string');
  });

  test('the report validates', () => {
    const ok = validate(makeReport());
    expect(validate.errors).toBeNull();
    expect(ok).toBe(true);
    // ...and so does its JSON rendering.
    expect(validate(JSON.parse(formatJson(makeReport())))).toBe(true);
  });

  test('a broken report fails with every error reported', () => {
    const broken = makeReport() as unknown as Record<string, unknown> & {
      findings: Array<Record<string, unknown>>;
      files: Array<{ plan: Record<string, unknown> }>;
    };
    delete broken.version;
    broken.findings[0].severity = 'fatal';
    broken.files[0].plan.batchSize = { value: 8, origin: 'explicit' };
    expect(validate(broken)).toBe(false);
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
    expect(errors).toEqual(
      expect.arrayContaining([' required', '/findings/0/severity enum', '/files/0/plan propertyNames']),
    );
  });

  test('`related` (additive in v1): exactly path, line, column and message', () => {
    const r = makeReport();
    r.findings[0].related = [{ path: 'configs/train.yaml', line: 8, column: 3, message: 'the run length' }];
    expect(validate(r)).toBe(true);
    for (const bad of [[], [{ path: 'a', line: 1, column: 1 }], [{ path: 'a', line: 1, column: 1, message: 'm', ruleId: 'x' }], [{ path: 'a', line: 0, column: 1, message: 'm' }]]) {
      (r.findings[0] as unknown as { related: unknown }).related = bad;
      expect(validate(r)).toBe(false);
    }
  });

  const DELETE = Symbol('delete');

  /** Sets (or deletes) the value at a dotted path of a plain JSON object. */
  function mutate(target: unknown, dotted: string, value: unknown): void {
    const keys = dotted.split('.');
    const last = keys.pop() as string;
    let node = target as Record<string, unknown>;
    for (const k of keys) node = node[k] as Record<string, unknown>;
    if (value === DELETE) delete node[last];
    else node[last] = value;
  }

  test.each<[string, unknown]>([
    ['version', 2],
    ['tool.name', 'eslint'],
    ['extra', true],
    ['files.0.plan.worldSize.origin', 'guessed'],
    ['files.0.plan.worldSize.range', {}],
    ['files.0.plan.worldSize.value', { n: 8 }],
    ['files.0.plan.worldSize.line', 0],
    ['files.0.dialect', 3],
    ['files.0.reference', { label: 'base' }],
    ['findings.0.line', 0],
    ['findings.0.column', 1.5],
    ['findings.0.data', DELETE],
    ['findings.0.severity', 'notice'],
    ['summary.errors', -1],
    ['summary.files', 1.5],
    ['summary.infos', DELETE],
  ])('rejects %s = %p', (dotted, value) => {
    const r = makeReport();
    mutate(r, dotted, value);
    expect(validate(r)).toBe(false);
  });
});
