// Peer "`yaml` parseDocument of every file": parse only, with the `yaml` package trainlint
// bundles (YAML and JSON files; `yaml` reads no TOML). Args: a file with one path a line.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

const list = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
let parsed = 0;
let errors = 0;
for (const file of list) {
  if (!/\.(ya?ml|json)$/i.test(file)) continue;
  const doc = parseDocument(readFileSync(file, 'utf8'));
  parsed++;
  if (doc.errors.length) errors++;
}
process.stdout.write(`${parsed} files parsed, ${errors} with errors\n`);
