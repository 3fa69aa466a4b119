/**
 * The README's examples for the CLI's new commands run as shown: the rescale transcript is the
 * command's real output, the chart image is what `plan --chart` writes today, and the stdin,
 * formats and init examples run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../src/cli/main';
import type { Report } from '../src/engine/report-types';
import { runCliCapture } from './helpers/run-cli';

const REPO = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');

/** The argv of every `node dist/cli.js …` line in the README's sh blocks and transcripts. */
function commandsIn(section: string): string[][] {
  const start = readme.indexOf(section);
  const next = /\n#{2,3} /.exec(readme.slice(start + 1));
  const text = readme.slice(start, next ? start + 1 + next.index : undefined).replace(/\\\n\s*/g, ' ');
  return [...text.matchAll(/^(?:\$ )?node dist\/cli\.js ([^\n#]*?)\s*(?:#.*)?$/gm)].map((m) => m[1].split(/\s+/).filter(Boolean));
}

describe('README examples', () => {
  test('rescale: the transcript is the real output (dry run on the example)', async () => {
    const start = readme.indexOf('$ node dist/cli.js rescale examples/openclip-a100-to-h100/a100.sh --micro-batch 2200 --dry-run');
    expect(start).toBeGreaterThan(0);
    const shown = readme.slice(readme.indexOf('\n', start) + 1, readme.indexOf('\n```', start) + 1);
    const r = await runCliCapture(['rescale', 'examples/openclip-a100-to-h100/a100.sh', '--micro-batch', '2200', '--dry-run'], REPO);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(shown)).toBe(true);
    expect(r.stdout.slice(shown.length)).toMatch(/^--- a\/examples\/openclip-a100-to-h100\/a100\.sh/);
  });

  test('charts: the committed image is what `plan --chart` writes', async () => {
    const [argv] = commandsIn('### Charts');
    expect(argv).toEqual(['plan', 'examples/openclip-a100-to-h100/h100.sh', '--chart', 'docs/images/lr-openclip-h100.svg']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-readme-'));
    try {
      const out = path.join(dir, 'lr.svg');
      const r = await runCliCapture([...argv.slice(0, 3), out], REPO);
      expect(r.code).toBe(0);
      expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(path.join(REPO, 'docs/images/lr-openclip-h100.svg'), 'utf8'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('editors: the stdin example lints the buffer as the H100 script', async () => {
    const [argv] = commandsIn('### Editors');
    expect(argv).toEqual(['--stdin', '--stdin-filename', 'examples/openclip-a100-to-h100/h100.sh', '--format', 'json', '<', 'examples/openclip-a100-to-h100/h100.sh']);
    let stdout = '';
    const code = await runCli(argv.slice(0, -2), {
      cwd: REPO,
      stdout: (t) => (stdout += t),
      stderr: () => undefined,
      isTTY: false,
      readStdin: async () => fs.readFileSync(path.join(REPO, argv[argv.length - 1])),
    });
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as Report).findings.map((f) => f.ruleId)).toContain('lr-not-rescaled');
  });

  test('other CI systems: each format example runs', async () => {
    const commands = commandsIn('### Other CI systems');
    expect(commands.map((c) => c[c.indexOf('--format') + 1])).toEqual(['junit', 'gitlab', 'sarif', 'markdown']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-readme-'));
    try {
      for (const argv of commands) {
        const args = argv.includes('--output') ? argv.map((a, i) => (argv[i - 1] === '--output' ? path.join(dir, a) : a)) : argv.filter((a) => a !== '>' && !a.endsWith('.md'));
        const r = await runCliCapture(args, REPO);
        expect([argv.join(' '), r.code, r.stderr]).toEqual([argv.join(' '), 1, '']);
      }
      expect(fs.readdirSync(dir).sort()).toEqual(['gl-code-quality-report.json', 'trainlint-junit.xml', 'trainlint.sarif']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
