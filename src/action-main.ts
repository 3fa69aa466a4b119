/** The action itself (bundled to dist/action-main.js), loaded by src/index.ts once the compile cache is on; also its lint workers. */
import { setLintWorkerScript } from './engine/parallel/pool.js';
import { runLintWorkerIfAny } from './engine/parallel/worker.js';
import { allowV8Tuning } from './v8-tuning.js';

// Lint workers run this same file (engine/parallel/).
if (!runLintWorkerIfAny()) {
  setLintWorkerScript(new URL(import.meta.url));
  // Large runs set V8's flags for linting (v8-tuning.ts): this process is trainlint's own.
  allowV8Tuning();
}

export { run } from './action/main.js';
