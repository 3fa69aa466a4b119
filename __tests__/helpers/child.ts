/**
 * Runs trainlint in a child process with a hard wall-clock timeout and a heap cap, so that a
 * hang or a memory blow-up is a failed assertion instead of a stuck or crashed Jest worker.
 *
 * The CLI is bundled from the sources with esbuild (as scripts/bundle.mjs does) into a temp
 * file once per test file: the tests exercise the current sources, not a stale dist/.
 * Entries other than the CLI (small runner scripts under __tests__) are bundled the same way.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const bundles = new Map<string, Promise<string>>();

/** Bundle a TypeScript entry (path relative to the repository) to an ESM file; cached per process. */
export function bundled(entry: string): Promise<string> {
  let out = bundles.get(entry);
  if (!out) {
    out = (async () => {
      // esbuild is ESM-friendly but also ships CommonJS; ts-jest compiles this file to CommonJS.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const esbuild = require('esbuild') as typeof import('esbuild');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainlint-bundle-'));
      const outfile = path.join(dir, `${path.basename(entry).replace(/\.ts$/, '')}.mjs`);
      await esbuild.build({
        entryPoints: [path.join(ROOT, entry)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        logLevel: 'error',
        banner: { js: "import { createRequire as __trainlintCreateRequire } from 'node:module';\nconst require = __trainlintCreateRequire(import.meta.url);" },
      });
      return outfile;
    })();
    bundles.set(entry, out);
  }
  return out;
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Killed by the hard timeout. */
  timedOut: boolean;
}

export interface ChildOptions {
  cwd: string;
  /** Hard wall-clock limit: the child is killed (SIGKILL) past it. */
  timeoutMs: number;
  /** V8 heap cap (--max-old-space-size), MB. */
  maxOldSpaceMb?: number;
  env?: NodeJS.ProcessEnv;
}

/** Spawn `node [--max-old-space-size=N] script args…`; never rejects. */
export function runNode(script: string, args: string[], o: ChildOptions): Promise<ChildRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const nodeArgs = [...(o.maxOldSpaceMb ? [`--max-old-space-size=${o.maxOldSpaceMb}`] : []), script, ...args];
    const child = spawn(process.execPath, nodeArgs, {
      cwd: o.cwd,
      env: { PATH: process.env.PATH, HOME: os.tmpdir(), NO_COLOR: '1', ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => {
      if (stdout.length < 64 * 1024 * 1024) stdout += b.toString('utf8');
    });
    child.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 1024 * 1024) stderr += b.toString('utf8');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, o.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
}

/** Run the CLI (bundled from src/cli.ts) in a child with caps. */
export async function runCliChild(argv: string[], o: ChildOptions): Promise<ChildRun> {
  return runNode(await bundled('src/cli.ts'), argv, { maxOldSpaceMb: 512, ...o });
}

/** A one-line description of how a child ended, for assertion messages. */
export function ended(r: ChildRun): string {
  if (r.timedOut) return `killed after ${r.ms} ms (timeout)`;
  return `exit ${r.code ?? r.signal} after ${r.ms} ms; stderr: ${r.stderr.slice(0, 400)}`;
}

/** A scenario of helpers/bounded-work.ts in a child with a hard timeout: its JSON result, or why there is none. */
export async function runWork<T>(scenario: string, args: string[], o: Partial<ChildOptions> = {}): Promise<{ result?: T; run: ChildRun }> {
  const run = await runNode(await bundled('__tests__/helpers/bounded-work.ts'), [scenario, ...args], { cwd: ROOT, timeoutMs: 60_000, maxOldSpaceMb: 512, ...o });
  if (run.timedOut || run.code !== 0) return { run };
  return { result: JSON.parse(run.stdout) as T, run };
}
