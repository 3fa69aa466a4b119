// Regex audit: every regular-expression literal (and `new RegExp('…')` with a literal pattern) in
// src/ is run on pumped adversarial strings (a prefix, one unit repeated, a suffix that makes the
// match fail). A pattern whose time grows faster than the input (×4 input, more than ×8 time, and
// over 10 ms) is reported as super-linear. Exit code 1 when one is found.
// Usage: node bench/regex-audit.mjs [repo-dir]
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(process.argv[2] ?? path.dirname(path.dirname(fileURLToPath(import.meta.url))));
const ts = createRequire(path.join(root, 'package.json'))('typescript');

const files = [];
(function walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (p.endsWith('.ts')) files.push(p);
  }
})(path.join(root, 'src'));

const regexes = [];
for (const f of files) {
  const sf = ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.ES2022, true);
  const where = (n) => `${path.relative(root, f)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  const add = (n, source, flags) => {
    try {
      regexes.push({ where: where(n), re: new RegExp(source, flags.replace(/[gy]/g, '')) });
    } catch (e) {
      console.log(`skipped ${where(n)}: ${e.message}`);
    }
  };
  const visit = (n) => {
    if (n.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const text = n.getText();
      const i = text.lastIndexOf('/');
      add(n, text.slice(1, i), text.slice(i + 1));
    } else if (ts.isNewExpression(n) && n.expression.getText() === 'RegExp' && n.arguments?.[0] && ts.isStringLiteralLike(n.arguments[0])) {
      add(n, n.arguments[0].text, n.arguments[1] && ts.isStringLiteralLike(n.arguments[1]) ? n.arguments[1].text : '');
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
}

const units = ['1', '0', '.', 'a', ' ', '-', '_', ':', 'e', '1.', '1_', '\t', '/', ',', '1e', 'x', 'A', '$', '{', '=', '"', "'", '\\', '1,', '1:', '--a ', 'a=', '${a', '# ', 'K', 'ba', '0.', '1 ', '*', '[', '\x1b[', '%', '\n'];
const suffixes = ['!', '\n', '', 'x', '@', '.', '\u0000'];
const prefixes = ['', 'python', '--', '-', '1', '+', '$', '${', '_', 'a', '#', '\x1b]'];
const N1 = 2000;
const N2 = 8000;
const time = (re, s) => {
  const start = process.hrtime.bigint();
  re.test(s);
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const bad = [];
for (const { where, re } of regexes) {
  let worst;
  for (const p of prefixes) {
    for (const u of units) {
      for (const sfx of suffixes) {
        const a = time(re, p + u.repeat(Math.ceil(N1 / u.length)) + sfx);
        if (a < 1) continue;
        const b = time(re, p + u.repeat(Math.ceil(N2 / u.length)) + sfx);
        if (b > 10 && b / a > 8 && (!worst || b > worst.b)) worst = { p, u, sfx, a, b };
      }
    }
  }
  if (worst) bad.push({ where, source: re.source.slice(0, 120), ...worst });
}
for (const b of bad) {
  console.log(`${b.where}  /${b.source}/\n    ${JSON.stringify(b.p)} + ${JSON.stringify(b.u)} × n + ${JSON.stringify(b.sfx)}: ${b.a.toFixed(1)} ms at ${N1} → ${b.b.toFixed(1)} ms at ${N2}`);
}
console.log(`regex audit: ${regexes.length} patterns in src/, ${bad.length} super-linear`);
process.exitCode = bad.length > 0 ? 1 : 0;
