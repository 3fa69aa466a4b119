/**
 * The bundles in dist/ validate with JSON Schemas compiled at build time (ajv standalone code,
 * scripts/validators.mjs) instead of compiling them at start-up. This changes no output:
 * scripts/check-bundled.mjs bundles the engine as dist/ does, lints every golden case with it,
 * and compares every shipped schema's precompiled and run-time validators on the golden configs.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const REPO = path.join(__dirname, '..');

test('the engine bundled with precompiled schemas gives the golden outputs and the same schema errors', () => {
  const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'check-bundled.mjs')], { cwd: REPO, encoding: 'utf8', timeout: 120000 });
  const lines = r.stdout.trim().split('\n');
  expect(r.stderr).toBe('');
  expect(lines.slice(0, -1)).toEqual([]);
  expect(lines.at(-1)).toMatch(/^\d{4,} checks, 0 mismatches$/);
  expect(r.status).toBe(0);
}, 120000);

test('bundles are written as ASCII only, with escapes that mean the same characters (scripts/ascii.mjs)', () => {
  const script = `
    import { asciiOnly } from ${JSON.stringify(path.join(REPO, 'scripts', 'ascii.mjs'))};
    const source = 'const r = /a[x×]b/u.test("a×b"); const s = /😀+/u.exec("😀😀")[0].length; const t = \`×\${1}\`; /* 3 × 4 → */ // é\\nglobalThis.out = [r, s, t];';
    const escaped = asciiOnly(source);
    eval(escaped);
    const refused = [String.raw\`/\\×/\`, '// a\\u2028b'].map((s) => { try { asciiOnly(s); return 'kept'; } catch (e) { return 'refused'; } });
    console.log(JSON.stringify({ ascii: /^[\\x00-\\x7f]*$/.test(escaped), out: globalThis.out, refused }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ ascii: true, out: [true, 4, '×1'], refused: ['refused', 'refused'] });
});
