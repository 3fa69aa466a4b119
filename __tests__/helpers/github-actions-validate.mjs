// Validates GitHub Action metadata (action.yml) and workflow files with GitHub's own parser,
// @actions/workflow-parser (the one behind the Actions language service), in a plain Node
// process: the package is ESM-only and imports its JSON schemas without import attributes,
// which a small load hook supplies. stdin: [{ kind: 'action' | 'workflow', name, content }];
// stdout: one array of error messages per entry (empty when valid).
import { Buffer } from 'node:buffer';
import { register } from 'node:module';
import process from 'node:process';

const hook = `export async function load(url, context, next) {
  if (url.endsWith('.json')) return next(url, { ...context, importAttributes: { type: 'json' } });
  return next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import('@actions/workflow-parser');
const { parseAction, convertActionTemplate } = await import('@actions/workflow-parser/actions/index');

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const entries = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const trace = new NoOperationTraceWriter();

const results = [];
for (const { kind, name, content } of entries) {
  const file = { name, content };
  if (kind === 'action') {
    const parsed = parseAction(file, trace);
    if (parsed.value) convertActionTemplate(parsed.context, parsed.value);
    results.push(parsed.context.errors.getErrors().map((e) => e.message));
  } else {
    const parsed = parseWorkflow(file, trace);
    const errors = parsed.context.errors.getErrors().map((e) => e.message);
    if (parsed.value && errors.length === 0) {
      const template = await convertWorkflowTemplate(parsed.context, parsed.value);
      errors.push(...(template.errors ?? []).map((e) => e.Message));
    }
    results.push([...new Set(errors)]);
  }
}
process.stdout.write(JSON.stringify(results));
