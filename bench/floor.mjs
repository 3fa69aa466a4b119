// Peer "read every file": the floor no linter can go under. Args: a file with one path a line
// (relative to the working directory). Reads and decodes each file, nothing else.
import { readFileSync } from 'node:fs';

const list = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
let chars = 0;
for (const file of list) chars += readFileSync(file, 'utf8').length;
process.stdout.write(`${list.length} files, ${chars} characters\n`);
