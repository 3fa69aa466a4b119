/**
 * The fast YAML path (src/engine/load/yaml-fast.ts) must build exactly the tree the `yaml`
 * package path builds: same nodes, values, sources, ranges (to the column) and duplicate-key
 * problems, or step aside. Checked on hand-written cases, on every YAML file of the tests and
 * examples, on those files with random edits, on generated documents, and on ../shared corpora
 * when they exist. YAML_FAST_FUZZ=N multiplies the random cases (for a longer local run).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { loadYaml, loadYamlFastOnly, loadYamlWithYamlPackage } from '../src/engine/load/yaml';
import { mapDelete, mapGet, mapSet, type MapNode } from '../src/engine/tree';

const REPO = path.join(__dirname, '..');
const SCALE = Number(process.env.YAML_FAST_FUZZ ?? 1);

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(entry)) out.push(p);
  }
  return out;
}

function read(file: string): string {
  const text = readFileSync(file, 'utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Where the fast path and the `yaml` path disagree (undefined: they agree or the fast path stepped aside). */
function disagreement(text: string): string | undefined {
  const fast = loadYamlFastOnly(text);
  if (!fast) return undefined;
  const reference = loadYamlWithYamlPackage(text);
  if (isDeepStrictEqual(fast, reference)) return undefined;
  const a = JSON.stringify(fast);
  const b = JSON.stringify(reference);
  let i = 0;
  while (a[i] === b[i]) i++;
  return `${JSON.stringify(text.slice(0, 300))}\n  fast: …${a.slice(Math.max(0, i - 120), i + 80)}\n  yaml: …${b.slice(Math.max(0, i - 120), i + 80)}`;
}

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

describe('fast YAML path', () => {
  const covered = [
    'a: 1\nb: two  # comment\n"c": \'it\'\'s\'\n',
    'lr: 1e-4\nwd: 1.0e-4\nflag: on\nmode: 0755\nn: 1_000\nt: 1:30\nz: ~\nnone: null\nx: .inf\n',
    // Numbers the resolver types without trying the tags, next to those it leaves to them.
    'i: 0\nj: -0\nk: +0\nl: 00\nm: 010\nn: 8\no: -1\np: +5\nq: 0.5\nr: -0.0\ns: 1.\nt: .5\nu: 1e4\nv: 1.0e-4\nw: 1.0e+4\nx: 0x1F\ny: 12345678901234567890\nz: 3.14159265358979323846\naa: +.5\nab: -1.5e3\nac: 0b101\nad: 1_0.5\nae: 09\naf: -.0\n8: int key\n0.5: float key\n',
    'model:\n  name: llama\n  layers: [1, 2, {a: b}]\n  empty: {}\nlist:\n- a\n- k: v\n  j: "q"\n-\n  - nested\n',
    'checkpoint_files: [\n    a.safetensors,\n    b.safetensors,\n]\nnext: 1\n',
    'model:\n  files:\n    [\n      "a.bin",\n      "b.bin",\n    ]\n  # c\n  flag:  # why\n    true\nname:\n  "q"\n',
    'a:\n  b: 1\n\n\nc:  # k\n  - x\n  # in\n\n  - y\nd: [ ]\n',
    'key:   # comment\nother:\n# c\nlast:\n',
    '1: one\non: true\n010: eight\n~: null key\n',
    'dup: 1\nother: 2\ndup: 3\n',
    // Merge keys: one alias, a sequence of them (earlier ones win), an inline mapping, after own keys,
    // two in one mapping, a value that is not a mapping, inside a sequence item, duplicates beside them.
    'base: &b {lr: 1}\nrun:\n  <<: *b\n',
    'a: &a\n  x: 1\n  y: 1\nb: &b\n  y: 2\n  z: 2\nc:\n  <<: [*a, *b]\n  z: 3\nd:\n  w: 0\n  <<:\n    - *b\n    - *a\ne:\n  <<:\n    q: 1\n  <<: *a\n  <<: *b\nf:\n  <<: 5\n  <<: ~\n  <<: [*a, 1]\n',
    'defaults: &d\n  lr: 1e-4\n  k: 1\n  k: 2\nruns:\n  - <<: *d\n    name: one\n  - <<: *d\n    lr: 2e-4\n    lr: 3e-4\n',
    // CR LF line ends, with comments, an empty value, block and flow collections, a block scalar.
    'a: 1\r\nb: two  # c\r\nc:\r\nd:\r\n  - x\r\n  # in\r\n  - y\r\ne: [1,\r\n  2]\r\nf: |\r\n  t\r\n  u\r\n\r\ng: 1\r\n',
    '  indented_root: 1\n  second: 2\n',
    '{\n  # parallelism\n  "pipe_parallel_size": 1,\n\n  "lr": 0.0006, "opt": {"type": "Adam", "betas": [0.9, 0.95]},\n  "on": true\n}\n# trailing\n',
    '[a, b]\n',
    'a: multi\n  line plain\n',
    'tool: ${oc.select:a.b.c,\n    null}\nx:\n  1\n\n   \n  2  \n  # c\n- \n'.replace('- \n', ''),
    '- a\n  b\n\n  c d\n- k: on\n    off\n  j: 1\n',
    'a: &x 1\nb: *x\n',
    'sr: &sample_rate 16000\nlabels: &labels [" ", "a"]\nenc: &enc  # c\n  k: 1\n  k: 2\n  l: [x]\ndec:\n  rate: *sample_rate  # again\n  labels: [*labels, *sample_rate]\n  copy: *enc\n- \n'.replace('- \n', ''),
    '- &item\n  - a\n  - b\n- *item\n- &s |\n  text\n- *s\n',
    'run: |\n  python train.py \\\n    --lr 1e-4\n\n  # not a comment\nnext: 1\n',
    'a:\n  b: >-\n    folded\n    text\n\n      more\n    last\n\n\n  # c\nz: |+\n  kept\n\n',
    '- |\n  item\n- k: >\n    v\n  j: 1\n',
    'a: "tab\\there \\u00e9 \\x41 \\"q\\" \\\\ \\/ \\N \\_ \\0 \\U0001F600"\n"k\\"ey": 1\nl: ["\\n", "x\\ty"]\n',
  ];
  test.each(covered)('takes the fast path and matches yaml: %j', (text) => {
    expect(loadYamlFastOnly(text)).toBeDefined();
    expect(disagreement(text)).toBeUndefined();
    expect(loadYaml(text)).toEqual(loadYamlWithYamlPackage(text));
  });

  test('long lines are read in one pass: a 1 MiB line of quoted flow items, a key with 100,000 values', () => {
    const items = Array.from({ length: 60_000 }, (_, i) => `"v${i}"`).join(', ');
    const text = `a: [${items}]\nb: 1\n`;
    const result = loadYamlFastOnly(text);
    expect(result?.tree?.kind).toBe('map');
    const a = result?.tree?.kind === 'map' ? result.tree.entries[0].value : undefined;
    expect(a?.kind === 'seq' ? a.items.length : 0).toBe(60_000);
    const many = Array.from({ length: 100_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    expect(loadYamlFastOnly(many)?.tree?.kind).toBe('map');
  });

  test('duplicate keys are reported as the yaml path reports them', () => {
    const result = loadYamlFastOnly('dup: 1\nother: 2\ndup: 3\n');
    expect(result?.problems).toEqual([
      { kind: 'duplicate-key', message: 'duplicate key "dup" (first at line 1); the loader keeps the last value', range: { line: 3, column: 1, endLine: 3, endColumn: 4 } },
    ]);
  });

  test('a duplicate key inside an anchored mapping is one problem, however many aliases copy it (both paths)', () => {
    const dupAt = (line: number) => ({
      kind: 'duplicate-key',
      message: `duplicate key "k" (first at line ${line}); the loader keeps the last value`,
    });
    const block = 'base: &b\n  k: 1\n  k: 2\nx: *b\ny: [*b, *b]\n';
    const flow = 'base: &b {k: 1, k: 2}\nx: *b\ny: *b\n';
    for (const text of [block, flow]) {
      for (const result of [loadYamlFastOnly(text), loadYamlWithYamlPackage(text)]) {
        expect(result?.problems.map(({ kind, message }) => ({ kind, message }))).toEqual([dupAt(text === block ? 2 : 1)]);
      }
    }
    // The aliases still copy the mapping (the last value wins in each copy).
    const tree = loadYamlFastOnly(block)?.tree;
    expect(tree?.kind === 'map' && tree.entries.map((e) => e.key)).toEqual(['base', 'x', 'y']);
  });

  test('duplicate keys in mappings of every size (scanned while few, indexed once many): as the yaml path reports them', () => {
    for (const size of [2, 15, 16, 17, 40]) {
      for (const [dupOf, at] of [
        [0, size - 1],
        [size - 2, size],
        [1, size + 1],
      ]) {
        const keys = Array.from({ length: size + 2 }, (_, i) => `key_${i}`);
        keys[at] = keys[dupOf];
        const block = keys.map((k, i) => `${k}: ${i}`).join('\n') + '\n';
        const flow = `{${keys.map((k, i) => `${k}: ${i}`).join(', ')}}\n`;
        for (const text of [block, `outer:\n${block.replace(/^/gm, '  ')}`, flow]) {
          const fast = loadYamlFastOnly(text);
          expect(fast?.problems.filter((p) => p.kind === 'duplicate-key')).toHaveLength(1);
          expect(disagreement(text)).toBeUndefined();
        }
      }
    }
  });

  const stepsAside = [
    'a: &x\n  b: *x\n',
    'a: *y\n',
    '&k a: 1\n',
    '- &x k: v\n- *x\n',
    'a: &x 1\n*x : 2\n',
    'a: &x [1]\nb: [&y 2]\n',
    'a: &x:y 1\n',
    'a: &x\nb: *x\n',
    'd: 2020-01-01\n',
    // A merge key in a flow mapping (block ones are merged on the fast path).
    'base: &b {lr: 1}\nrun: {<<: *b, x: 2}\n',
    'a: !!str 1\n',
    'a: |2\n   indicator\n',
    'a: |\n      \n  more-indented blank line first\n',
    'a: |\nb: empty block scalar\n',
    'a: >\n  no newline at the end',
    'a: |x\n  bad header\n',
    'a: multi  # c\n  line plain\n',
    'a:\n  multi\n  # c\n  line plain\n',
    'a: multi\n  k: v\n',
    'a: multi\n  - item\n',
    'a: [multi\n  line]\n',
    'a:\n  |\n  text\n',
    'a: "multi\n  line"\n',
    'a: "line\\\n  continued"\n',
    'a: "bad \\q escape"\n',
    'a:\t1\n',
    // A CR that does not end a line (CR LF line ends are read as LF: the covered cases above).
    'a: 1\rb: 2\n',
    'a: 1\r\r\nb: 2\n',
    'a: "x\ry"\n',
    '---\na: 1\n',
    'a: 1\n---\nb: 2\n',
    '%YAML 1.1\n---\na: 1\n',
    'a: b: c\n',
    'a: [1, 2\n',
    '- - a\n',
    '? complex\n: key\n',
    'just a scalar\n',
    '',
    '# only a comment\n',
    'a:\n  b: 1\n c: 2\n',
    'k: [\n1\n]\n',
  ];
  test.each(stepsAside)('steps aside for %j, and loadYaml gives the yaml path result', (text) => {
    expect(loadYamlFastOnly(text)).toBeUndefined();
    expect(loadYaml(text)).toEqual(loadYamlWithYamlPackage(text));
  });

  test('empty values followed by every layout of blank and comment lines (up to 3) end where yaml ends them', () => {
    const lines = ['', '# c', '  # c', '    # c', '      # c', '   '];
    const layouts: string[][] = [[]];
    for (let n = 1; n <= 3; n++) for (const l of layouts.filter((x) => x.length === n - 1)) for (const line of lines) layouts.push([...l, line]);
    const wrong: string[] = [];
    let fast = 0;
    let total = 0;
    for (const nested of [false, true]) {
      for (const key of ['a:', 'a:  # s', '- a:', '-', '-  # s']) {
        const seqItem = key.startsWith('-');
        const pad = nested ? '  ' : '';
        for (const layout of layouts) {
          for (const next of nested ? [`${pad}${seqItem ? '- b' : 'b: 1'}`, 'z: 1', null] : [seqItem ? '- b' : 'b: 1', null]) {
            const text = (nested ? 'x:\n' : '') + [pad + key, ...layout, ...(next === null ? [] : [next])].join('\n') + '\n';
            total++;
            if (loadYamlFastOnly(text)) fast++;
            const d = disagreement(text);
            if (d) wrong.push(d);
          }
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(fast / total).toBeGreaterThan(0.5);
    expect(total).toBeGreaterThan(2000);
  });

  test('comment lines after the last value of nested collections, before a line indented less: same ranges as yaml', () => {
    // Two or three nested collections (maps, sequences, `- key:` items); the last value is
    // followed by comment lines at every indent, blank lines among them, then a line at each
    // shallower indent (or the end of the text).
    const heads = [
      ['a:', '  b:', '    c: 1'],
      ['a:', '  - x', '  - y'],
      ['a:', '- x', '- y'],
      ['a:', '  b:', '  - x'],
      ['a:', '  - k: 1', '    j: 2'],
      ['- a:', '    b: [1, 2]'],
      ['a:', '  b:', '    - "q"'],
      ['a:', '  b:', '    c: 1', '    d:', '      e: f'],
    ];
    const comments = ['# c', '  # c', '    # c', '      # c', '', '   '];
    const tails = ['z: 1', '  z: 1', '    z: 1', '- z', '  - z', null];
    const wrong: string[] = [];
    let fast = 0;
    let total = 0;
    for (const head of heads) {
      for (const c1 of comments) {
        for (const c2 of comments) {
          for (const c3 of ['', '  # c', '# c']) {
            for (const tail of tails) {
              const text = [...head, c1, c2, c3, ...(tail === null ? [] : [tail])].join('\n') + '\n';
              total++;
              if (loadYamlFastOnly(text)) fast++;
              const d = disagreement(text);
              if (d) wrong.push(d);
            }
          }
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(fast / total).toBeGreaterThan(0.55);
  });

  test('generated block scalars (literal, folded, chomping, blank and deeper lines, comments after): same tree or step aside', () => {
    const rnd = rng(Number(process.env.YAML_FAST_SEED ?? 3));
    const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];
    const wrong: string[] = [];
    let fast = 0;
    for (let k = 0; k < 3000 * SCALE; k++) {
      const indent = pick([0, 2]);
      const pad = ' '.repeat(indent);
      const head = pick(['a:', 'a: ', '- ', '-  ', '- k:']);
      const header = pick(['|', '>', '|-', '>-', '|+', '>+', '| # c', '>-  #c', '|2', '|#c']);
      const content = indent + pick([1, 2, 2, 4]);
      let body = '';
      for (let n = Math.floor(rnd() * 6); n >= 0; n--) {
        const r = rnd();
        if (r < 0.15) body += '\n';
        else if (r < 0.25) body += ' '.repeat(Math.floor(rnd() * 8)) + '\n';
        else if (r < 0.35) body += ' '.repeat(content + 2) + pick(['more', '# x']) + '\n';
        else if (r < 0.4) body += ' '.repeat(content - 1) + '# c\n';
        else body += ' '.repeat(content) + pick(['text', 'a b', '# h', 'x: y', '- z', "'q'"]) + '\n';
      }
      const tail = pick(['', 'b: 1\n', '- c\n', '  # t\nb: 1\n', '\n\n', '   \n', '# e\n', 'z']);
      const text = (indent ? 'root:\n' : '') + pad + head + (head.endsWith(' ') ? '' : ' ') + header + '\n' + body + (tail && !tail.startsWith(' ') ? pad : '') + tail;
      if (loadYamlFastOnly(text)) fast++;
      const d = disagreement(text);
      if (d) wrong.push(d);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(fast).toBeGreaterThan(800 * SCALE);
  });

  test('generated multi-line plain scalars (blank lines, comments, deeper and shallower lines): same tree or step aside', () => {
    const rnd = rng(Number(process.env.YAML_FAST_SEED ?? 5));
    const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];
    const wrong: string[] = [];
    let fast = 0;
    for (let k = 0; k < 3000 * SCALE; k++) {
      const pad = pick(['', '  ']);
      const head = pad + pick(['a: ', '- ', '- k: ', 'a:\n' + pad + '  ']);
      let text = (pad ? 'root:\n' : '') + head + pick(['x', '1', 'on', '${a.b,', 'a b', '~']);
      for (let n = Math.floor(rnd() * 4); n >= 0; n--) {
        text += pick(['\n', '\n', '\n\n', '\n  \n', ' # c\n']) + pad + ' '.repeat(pick([0, 1, 2, 4, 6])) + pick(['y', '2', 'null}', 'off', 'z w  ', '# c', '- i', 'k: v', 'u:', 'a#b', '"q"', '[1]']);
      }
      text += '\n' + pick(['', pad + 'z: 1\n', '# e\n']);
      if (loadYamlFastOnly(text)) fast++;
      const d = disagreement(text);
      if (d) wrong.push(d);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(fast).toBeGreaterThan(300 * SCALE);
  });

  test('aliases expand beyond the fast path budget: it steps aside and the yaml path applies its bound', () => {
    const list = Array.from({ length: 200 }, (_, i) => i).join(', ');
    const aliases = Array.from({ length: 200 }, () => '*a').join(', ');
    const text = `a: &a [${list}]\nb: &b [${aliases}]\nc: [${Array.from({ length: 200 }, () => '*b').join(', ')}]\n`;
    expect(loadYamlFastOnly(text)).toBeUndefined();
    const result = loadYaml(text);
    expect(result.tree).toBeUndefined();
    expect(result.problems[0].message).toMatch(/resource exhaustion guard/);
  });

  test('an alias whose copy would be deep steps aside (the yaml path counts a level per alias, within its depth limit)', () => {
    const deep = (n: number) => Array.from({ length: n }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n') + ' 1\n';
    const shallow = `a: &x\n${deep(10)}b: *x\n`;
    expect(loadYamlFastOnly(shallow)).toBeDefined();
    expect(disagreement(shallow)).toBeUndefined();
    const text = `a: &x\n${deep(34)}b: *x\n`;
    expect(loadYamlFastOnly(text)).toBeUndefined();
    expect(loadYaml(text)).toEqual(loadYamlWithYamlPackage(text));
  });

  test('generated anchors, aliases and merge keys (scalars, flow and block collections, duplicate keys inside): same tree or step aside', () => {
    const rnd = rng(Number(process.env.YAML_FAST_SEED ?? 11));
    const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];
    const wrong: string[] = [];
    let fast = 0;
    for (let k = 0; k < 3000 * SCALE; k++) {
      const names = ['a', 'b', 'c'];
      const lines: string[] = [];
      const gen = (pad: string, depth: number) => {
        for (let n = 1 + Math.floor(rnd() * 4); n > 0; n--) {
          const seq = rnd() < 0.3;
          const head = seq ? `${pad}- ` : `${pad}${pick(['k', 'j', 'k', 'x', '<<'])}: `;
          const r = rnd();
          if (r < 0.25) lines.push(head + `&${pick(names)} ` + pick(['1', 'v', '"q"', '[1, 2]', '{k: 1, k: 2}', '|\n' + pad + '    t']));
          else if (r < 0.5) lines.push(head + `*${pick(names)}` + pick(['', ' # c', '\n' + pad + '  # deep']));
          else if (r < 0.6) lines.push(head + `[*${pick(names)}, ${pick(['1', `*${pick(names)}`])}]`);
          else if (r < 0.8 && depth < 3) {
            lines.push(head + pick([`&${pick(names)}`, `&${pick(names)}  # c`, '']));
            gen(pad + '  ', depth + 1);
          } else lines.push(head + pick(['1', 'on', 'x']));
        }
      };
      gen('', 0);
      const text = lines.join('\n') + '\n';
      if (loadYamlFastOnly(text)) fast++;
      const d = disagreement(text);
      if (d) wrong.push(d);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(fast).toBeGreaterThan(300 * SCALE);
  });

  const files = [...yamlFiles(path.join(REPO, '__tests__')), ...yamlFiles(path.join(REPO, 'examples'))];

  test('every YAML file of the tests and examples: same tree, and most take the fast path', () => {
    const wrong = files.map((f) => disagreement(read(f))).filter(Boolean);
    expect(wrong).toEqual([]);
    const fast = files.filter((f) => loadYamlFastOnly(read(f))).length;
    expect(fast / files.length).toBeGreaterThan(0.6);
  });

  test('every YAML file of the tests and examples with CR LF line ends: same tree as the yaml path, and the fast path takes those it takes with LF', () => {
    const crlf = files.map((f) => read(f).replaceAll('\r\n', '\n').replaceAll('\n', '\r\n'));
    expect(crlf.map((text) => disagreement(text)).filter(Boolean)).toEqual([]);
    const taken = (text: string) => loadYamlFastOnly(text) !== undefined;
    expect(crlf.filter(taken).length).toBe(files.filter((f) => taken(read(f).replaceAll('\r\n', '\n'))).length);
  });

  const PIECES = [' ', '  ', '\n', ':', ': ', '- ', '-', '#', ' #', "'", '"', '[', ']', '{', '}', ',', ', ', 'x', '1', '1e-4', 'on', '~', 'null', '<<', '&a', '*a', '!', '|', '>', '?', '\n  ', '\n- ', '\nk: v', '\n  k: v', '\n  # c', '\n\n', '0x1F', '1:30', '2020-01-01', '.inf', "''", '""', 'a: b', '[1, 2]', '{a: 1}', '[\n  1,\n  2\n]', '%', '@', '`', '\\', '\t', '\r', '"\\n"', '"\\u00e9\\x41"', '"\\"', '\\"', ' &a ', ' *a', ': &a\n  ', '|-\n    t', '>\n  ', '\n      cont', '\n  *a'];

  test('files with random edits: the fast path matches or steps aside', () => {
    const rnd = rng(Number(process.env.YAML_FAST_SEED ?? 12345));
    const wrong: string[] = [];
    let fast = 0;
    for (const file of files) {
      const base = read(file);
      for (let k = 0; k < 4 * SCALE; k++) {
        let text = base;
        for (let e = 1 + Math.floor(rnd() * 3); e > 0; e--) {
          const at = Math.floor(rnd() * (text.length + 1));
          const r = rnd();
          if (r < 0.45) text = text.slice(0, at) + PIECES[Math.floor(rnd() * PIECES.length)] + text.slice(at);
          else if (r < 0.75) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 3));
          else {
            const nl = text.indexOf('\n', at);
            if (nl >= 0) text = text.slice(0, nl + 1) + ' '.repeat(1 + Math.floor(rnd() * 4)) + text.slice(nl + 1);
          }
        }
        if (loadYamlFastOnly(text)) fast++;
        const d = disagreement(text);
        if (d) wrong.push(d);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(fast).toBeGreaterThan(200);
  });

  test('generated documents: the fast path matches or steps aside', () => {
    const rnd = rng(Number(process.env.YAML_FAST_SEED ?? 7));
    const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];
    const SCALARS = ['a', 'x y', '1', '-1', '+2', '0x1F', '010', '1_000', '1e-4', '1.0e-4', '.5', '1:30', 'on', 'Off', 'yes', 'y', 'n', 'true', 'NULL', '~', 'null', '2020-01-01', '.inf', '-.Inf', '.nan', "'q'", "'it''s'", '"d q"', '"e\\"s\\\\c\\t"', '"\\u12"', '""', "''", 'a#b', 'a #c', 'http://x:1/y', 'k:v', '[]', '{}', '[1, 2]', '[ a , "b" ]', '{a: 1, "b": 2}', '{"a":1}', '[1, [2, 3], {c: d}]', '[\n    a,\n    b,\n  ]', '[\n  1\n]', 'foo[1]', '-x', ':x', '?x', '- ', '@x', 'a: b', 'é', '😀 z', '  ', ''];
    const KEYS = ['a', 'b', 'a', 'key with space', '"quoted"', "'sq'", '1', 'on', 'null', '~', '1e-4', '010', 'x.y', 'a#b', 'k:v', '-k', '"a: b"'];
    const gen = (indent: number, depth: number): string => {
      let out = '';
      const seq = rnd() < 0.3;
      for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
        const pad = ' '.repeat(indent);
        if (rnd() < 0.15) out += pad + pick(['# c', '#', '  # deep', '\n# after blank']) + '\n';
        if (rnd() < 0.1) out += '\n';
        const head = seq ? pad + '-' + pick([' ', ' ', '  ', '']) : pad + pick(KEYS) + pick([':', ': ', ':  ', ' :']);
        if (depth < 3 && rnd() < 0.35) {
          if (seq && rnd() < 0.5) out += `${pad}- ${pick(KEYS)}: ${pick(SCALARS)}\n` + gen(indent + 2, depth + 1);
          else out += head + pick(['', ' # c']) + '\n' + gen(indent + pick([2, 2, 4, 0]), depth + 1);
        } else {
          // Sometimes the value stands alone on the next, deeper line.
          const sep = rnd() < 0.12 ? pick(['', '  # s']) + '\n' + ' '.repeat(indent + pick([0, 1, 2, 4])) : head.endsWith(' ') ? '' : ' ';
          out += head + sep + pick(SCALARS) + pick(['', '', ' # c', '  ', ' #', '\n  # under', '\n\n']) + '\n';
        }
      }
      return out;
    };
    const wrong: string[] = [];
    let fast = 0;
    for (let k = 0; k < 4000 * SCALE; k++) {
      const root = rnd() < 0.1 ? pick(['{\n  "a": 1,\n  # c\n  b: [1,\n 2]\n}\n', '{a: 1, b: {c: d}}  # x\n', '[\n1, 2\n]\n', '{\n"k": "v",\n}\n', '{"a": {"b":\n 1}}\n']) : '';
      const text = (root || gen(rnd() < 0.9 ? 0 : 2, 0)) + pick(['', '', '# end\n', '  # end\n', '\n\n', 'x: 1\n']);
      if (loadYamlFastOnly(text)) fast++;
      const d = disagreement(text);
      if (d) wrong.push(d);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(fast).toBeGreaterThan(1000 * SCALE);
  });

  const corpora = ['corpus', 'corpus-wave2'].map((c) => path.join(REPO, '..', 'shared', c));
  const corpusTest = corpora.every(existsSync) ? test : test.skip;
  if (!corpora.every(existsSync)) console.log(`yaml-fast: ../shared corpora not found; the corpus comparison is skipped`);
  corpusTest('every YAML file of ../shared/corpus and corpus-wave2: same tree', () => {
    const all = corpora.flatMap((c) => yamlFiles(c));
    expect(all.map((f) => disagreement(read(f))).filter(Boolean)).toEqual([]);
    expect(all.filter((f) => loadYamlFastOnly(read(f))).length / all.length).toBeGreaterThan(0.6);
  });
});

describe('a large mapping keeps the index it was read with (tree.ts adoptMapIndex)', () => {
  /** Key → value of its last entry, by scanning: what every lookup must give. */
  const lastValues = (node: MapNode) => new Map(node.entries.map((e) => [e.key, (e.value as { value?: unknown }).value]));
  const lookups = (node: MapNode, keys: string[]) => keys.map((k) => (mapGet(node, k)?.value as { value?: unknown } | undefined)?.value);

  it.each([
    ['a block mapping with duplicates', Array.from({ length: 45 }, (_, i) => `k${i % 32}: ${i}`).join('\n') + '\n'],
    ['a flow mapping with duplicates', `{ ${Array.from({ length: 40 }, (_, i) => `f${i % 20}: ${i}`).join(', ')} }\n`],
    ['a nested block mapping, no duplicates', 'outer:\n' + Array.from({ length: 20 }, (_, i) => `  n${i}: ${i}`).join('\n') + '\n'],
    ['a block mapping with a merge key (not adopted)', 'base: &b\n  m0: 0\nbig:\n  <<: *b\n' + Array.from({ length: 20 }, (_, i) => `  m${i}: ${i + 100}`).join('\n') + '\n'],
  ])('%s: every lookup is the last entry of its key, also after mapSet and mapDelete', (_what, text) => {
    const root = loadYamlFastOnly(text)!.tree as MapNode;
    const maps = [root, ...root.entries.map((e) => e.value).filter((v): v is MapNode => v.kind === 'map')];
    for (const node of maps) {
      const keys = [...new Set(node.entries.map((e) => e.key)), 'absent', '__proto__'];
      const expected = lastValues(node);
      expect(lookups(node, keys)).toEqual(keys.map((k) => expected.get(k)));
      // Edits through the tree's API keep it right; a copy of the entries builds its own index.
      const first = node.entries[0].key;
      mapSet(node, { ...node.entries[0], value: { kind: 'scalar', value: 'set', source: 'set', plain: true, range: node.range } });
      mapDelete(node, keys[1]);
      const copy: MapNode = { kind: 'map', entries: [...node.entries], range: node.range };
      expect(lookups(node, keys)).toEqual(lookups(copy, keys));
      expect(mapGet(node, first)?.value).toMatchObject({ value: 'set' });
      expect(mapGet(node, keys[1])).toBeUndefined();
    }
  });
});
