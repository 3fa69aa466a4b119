import type { ConfigNode, ScalarNode } from '../engine/tree.js';
import type { Rule, RuleContext } from './types.js';

const NUMERIC_TEXT = /^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?$/;
const YAML11_BOOL = /^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$/;
const OCTAL = /^[-+]?0[0-7_]+$/;
const SEXAGESIMAL = /^[-+]?\d[\d_]*(?::[0-5]?\d)+(?:\.\d*)?$/;

/** The PyYAML float spelling of a number written as `1e-4`: `1.0e-4`. */
export function pyyamlFloatSpelling(source: string): string {
  const m = /^([-+]?)(\d[\d_]*)?(?:\.([\d_]*))?[eE]([-+]?)(\d+)$/.exec(source);
  if (!m) return source;
  const [, sign, int = '0', frac, expSign, exp] = m;
  return `${sign}${int}.${frac || '0'}e${expSign || '+'}${exp}`;
}

/**
 * A spelling every YAML loader reads as the same number: `1e-4` → `1.0e-4`, `-.5` → `-0.5`, `0089` → `89`.
 * Final at once: without underscores (`1_0e-4` → `10.0e-4`, not `1_0.0e-4`, which the rule would report again).
 */
export function numberSpelling(written: string): string {
  const source = written.replace(/_/g, '');
  if (/[eE]/.test(source)) return pyyamlFloatSpelling(source);
  const value = Number(source);
  if (source.includes('.')) return Number.isInteger(value) ? `${value}.0` : String(value);
  return String(value);
}

interface Ambiguity {
  message: string;
  replacement?: string;
  /** The reading depends on which loader runs the file (a number as text): an assumed loader is named. */
  byLoader?: boolean;
}

/**
 * Whether `judge` may find something in a scalar: a first look that no scalar it reports fails (a
 * string only as a number's text, a number only with a leading zero, an underscore or a colon, and
 * any boolean), so that most scalars (words, paths, plain numbers) skip the regular expressions.
 */
function mayBeAmbiguous(node: ScalarNode): boolean {
  if (!node.plain) return false;
  const value = node.value;
  if (typeof value === 'boolean') return true;
  const src = node.source;
  if (typeof value === 'string') {
    // NUMERIC_TEXT: a sign, a digit or a point first.
    const c = src.charCodeAt(0);
    return (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
  }
  // OCTAL: a 0 after an optional sign; `_`; SEXAGESIMAL: a colon.
  return typeof value === 'number' && (src.includes('0') || src.includes('_') || src.includes(':'));
}

/** The loader named in messages. A converting loader (pydantic, argparse type=) reads the YAML with PyYAML first: its booleans and octals are PyYAML's. */
function loaderName(ctx: RuleContext): string {
  return ctx.yamlLoaderName ?? (ctx.yamlLoader === 'omegaconf' ? 'OmegaConf' : ctx.yamlLoader === 'yacs' ? 'yacs' : 'PyYAML (YAML 1.1)');
}

function judge(node: ScalarNode, ctx: RuleContext): Ambiguity | undefined {
  // A loader that hands on the written text (Megatron's MODEL_ARGS) never types the scalar.
  if (!node.plain || ctx.yamlLoader === 'text') return undefined;
  const src = node.source;
  if (typeof node.value === 'string') {
    // OmegaConf, yacs (literal_eval) and pydantic-coerced loaders read a number's text as the number intended.
    if (ctx.yamlLoader !== 'pyyaml' || !NUMERIC_TEXT.test(src)) return undefined;
    const loader = loaderName(ctx);
    const replacement = numberSpelling(src);
    return {
      message: `${loader} loads \`${src}\` as the string "${src}", not a number; the training code then fails or compares strings: write \`${replacement}\``,
      replacement,
      byLoader: true,
    };
  }
  if (typeof node.value === 'boolean') {
    if (!YAML11_BOOL.test(src)) return undefined;
    const loader = loaderName(ctx);
    return {
      message: `${loader} loads \`${src}\` as the boolean ${node.value}, YAML 1.2 loaders as the string "${src}": write \`${node.value}\` if a boolean is meant, or \`"${src}"\` if the setting takes a string`,
    };
  }
  if (typeof node.value !== 'number') return undefined;
  // OCTAL and SEXAGESIMAL tested only where they can match: a 0 first (after a sign), a colon.
  const first = src.charCodeAt(0);
  const lead = first === 43 || first === 45 ? src.charCodeAt(1) : first;
  // Only when the loader really read base 8 (YAML 1.2 reads `0755` as 755).
  if (lead === 48 && OCTAL.test(src) && node.value !== Number(src.replace(/_/g, ''))) {
    const loader = loaderName(ctx);
    return { message: `${loader} loads \`${src}\` as the octal number ${node.value}, YAML 1.2 loaders as ${Number(src.replace(/_/g, ''))}: write the number without the leading zero, or quote it` };
  }
  // `1_000` is 1000 for every YAML 1.1 loader; only PyYAML configs, which other YAML 1.2 tools
  // also read, are told. OmegaConf and pydantic-validated configs read it as intended.
  if (src.includes('_') && ctx.yamlLoader === 'pyyaml') {
    const loader = loaderName(ctx);
    return { message: `${loader} loads \`${src}\` as ${node.value}, YAML 1.2 loaders as the string "${src}": write \`${src.replace(/_/g, '')}\``, replacement: src.replace(/_/g, ''), byLoader: true };
  }
  if (src.includes(':') && SEXAGESIMAL.test(src)) {
    const loader = loaderName(ctx);
    return { message: `${loader} loads \`${src}\` as the base-60 number ${node.value}, YAML 1.2 loaders as the string "${src}": quote it` };
  }
  return undefined;
}

/** Every scalar below `node` that `mayBeAmbiguous` keeps, in document order (a loop per node, no closure per mapping). */
function collectScalars(node: ConfigNode, out: ScalarNode[]): void {
  if (node.kind === 'scalar') {
    if (mayBeAmbiguous(node)) out.push(node);
  } else if (node.kind === 'seq') {
    const items = node.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item.kind === 'scalar') {
        if (mayBeAmbiguous(item)) out.push(item);
      } else collectScalars(item, out);
    }
  } else {
    const entries = node.entries;
    for (let i = 0; i < entries.length; i++) {
      const value = entries[i].value;
      if (value.kind === 'scalar') {
        if (mayBeAmbiguous(value)) out.push(value);
      } else collectScalars(value, out);
    }
  }
}

export const yaml11AmbiguousScalar: Rule = {
  meta: {
    id: 'yaml11-ambiguous-scalar',
    defaultSeverity: 'warning',
    description: "A YAML scalar that the training code's loader reads as another type than written (`1e-4`, `on`, `0755`, `1_000`).",
    scope: 'file',
    fixable: true,
  },
  check(ctx) {
    if (ctx.file.format !== 'yaml' || !ctx.file.tree) return;
    // Only where the loader is known: a file a dialect claims, a fragment of a dialect's composition (typed by
    // its loader), or a file a user schema in .trainlint.yml covers (PyYAML unless `yaml: '1.2'`). Other YAML
    // (CI workflows, compose files, manifests, configs of frameworks trainlint does not know) is read by code
    // whose YAML version is unknown: GitHub reads a workflow's `annotations: off` as the string "off".
    if (!ctx.dialectId && ctx.yamlLoader === 'pyyaml' && ctx.schemas.length === 0) return;
    // An aliased scalar is in the tree once per alias, each copy at the anchored scalar's
    // position: it is reported once (only scalars with a finding are remembered).
    if (ctx.yamlLoader === 'text') return;
    const candidates: ScalarNode[] = [];
    collectScalars(ctx.file.tree, candidates);
    if (candidates.length === 0) return;
    let reported: Set<string> | undefined;
    for (const node of candidates) {
      const found = judge(node, ctx);
      if (!found) continue;
      const at = `${node.range.line}:${node.range.column}`;
      reported ??= new Set<string>();
      if (reported.has(at)) continue;
      reported.add(at);
      ctx.report({
        range: node.range,
        // A loader assumed for want of a launch command that shows it is named (hf-parser.ts), never silent.
        message: found.byLoader && ctx.yamlParser?.assumed ? `${found.message} (${ctx.yamlParser.assumed})` : found.message,
        data: {
          source: node.source,
          loadedAs: node.value,
          loader: ctx.yamlLoader,
          ...(found.replacement ? { replacement: found.replacement } : {}),
          ...(found.byLoader && ctx.yamlParser ? { parser: ctx.yamlParser.name, ...(ctx.yamlParser.assumed ? { parserAssumed: true } : {}) } : {}),
        },
        ...(found.replacement ? { fix: found.replacement, edit: { range: node.range, text: found.replacement } } : {}),
      });
    }
  },
};
