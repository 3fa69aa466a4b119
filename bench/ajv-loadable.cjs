// Which files ajv-cli 5 can load: it decodes .json with JSON.parse and .yaml/.yml with
// js-yaml 3 safeLoad (its own dependency, loaded from its install), reads no TOML, and exits
// at the first file it cannot load. The benchmark times ajv-cli on the files it can load and
// trainlint on the same files. Args: peers dir, list file (one path a line, relative to the
// working directory). Prints the loadable paths, one a line.
const { readFileSync } = require('node:fs');
const path = require('node:path');

const peers = process.argv[2];
const fromAjvCli = (name) => require(require.resolve(name, { paths: [path.join(peers, 'node_modules', 'ajv-cli')] }));
const yaml = fromAjvCli('js-yaml');
const JSON5 = fromAjvCli('json5');

function decode(contents, format) {
  switch (format) {
    case 'json':
      return JSON.parse(contents);
    case 'jsonc':
    case 'json5':
      return JSON5.parse(contents);
    case 'yml':
    case 'yaml':
      return yaml.safeLoad(contents);
    default:
      throw new Error(`unsupported file format ${format}`);
  }
}

const out = [];
for (const file of readFileSync(process.argv[3], 'utf8').split('\n').filter(Boolean)) {
  try {
    decode(readFileSync(file).toString(), path.extname(file).slice(1).toLowerCase());
    out.push(file);
  } catch {
    // ajv-cli would try require() next and exit with "error: …": not loadable.
  }
}
process.stdout.write(out.join('\n') + '\n');
