/**
 * Small repositories in temp dirs for tests that lint or rewrite files through the CLI: a folder with
 * `.git` (trainlint lints inside a repository) and the given files; all removed after the test file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `repo(files)` makes one repository per call; `read(dir, rel)` reads a file back. Call at the top level of a test file. */
export function tempRepos(prefix: string): { repo: (files: Record<string, string>) => string; read: (dir: string, rel: string) => string } {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  return {
    repo: (files) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
      dirs.push(dir);
      fs.mkdirSync(path.join(dir, '.git'));
      for (const [rel, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
      }
      return dir;
    },
    read: (dir, rel) => fs.readFileSync(path.join(dir, rel), 'utf8'),
  };
}
