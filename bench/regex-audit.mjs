// Collect every regex literal in src/ and time it on pumped adversarial strings.
import ts from 'typescript';
import fs from 'node:fs';
import path from 'node:path';
const root = process.argv[2];
const files = [];
(function walk(d) { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (p.endsWith('.ts')) files.push(p); } })(path.join(root, 'src'));
const regexes = [];
for (const f of files) {
  const sf = ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.ES2022, true);
  const visit = (n) => {
    if (n.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const text = n.getText(); const i = text.lastIndexOf('/');
      try { regexes.push({ where: `${path.relative(root, f)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`, re: new RegExp(text.slice(1, i), text.slice(i + 1).replace('g', '').replace('y','')) }); } catch (e) { console.log('skip', text, e.message); }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
}
const units = ['1', '0', '.', 'a', ' ', '-', '_', ':', 'e', '1.', '1_', '\t', '/', ',', '1e', 'x', 'A', '$', '{', '=', '"', "'", '\\', '1,', '1:', '--a ', 'a=', '${a', '# ', 'K', 'ba', '0.', '1 '];
const suffixes = ['!', '\n', '', 'x', '@', '.', '\u0000'];
const prefixes = ['', 'python', '--', '-', '1', '+', '$', '${', '_', 'a'];
const N1 = 3000, N2 = 12000;
function t(re, s) { const st = process.hrtime.bigint(); re.test(s); return Number(process.hrtime.bigint() - st) / 1e6; }
const bad = [];
for (const { where, re } of regexes) {
  let worst = null;
  for (const p of prefixes) for (const u of units) for (const sfx of suffixes) {
    const a = t(re, p + u.repeat(Math.ceil(N1 / u.length)) + sfx);
    if (a < 2) continue;
    const b = t(re, p + u.repeat(Math.ceil(N2 / u.length)) + sfx);
    const ratio = b / a;
    if (ratio > 6 && (!worst || b > worst.b)) worst = { p, u, sfx, a, b, ratio };
  }
  if (worst) bad.push({ where, src: re.source.slice(0, 120), ...worst });
}
for (const b of bad) console.log(`${b.where}  ${b.src}\n    pump ${JSON.stringify(b.p)}+${JSON.stringify(b.u)}*n+${JSON.stringify(b.sfx)}: ${b.a.toFixed(1)}ms @${N1} → ${b.b.toFixed(1)}ms @${N2} (×${b.ratio.toFixed(1)})`);
console.log(`${regexes.length} regexes, ${bad.length} superlinear`);
