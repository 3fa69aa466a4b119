/** The action itself (bundled to dist/action-main.js), loaded by src/index.ts once the compile cache is on; also its lint workers. */
import { setLintWorkerScript } from './engine/parallel/pool.js';
import { runLintWorkerIfAny } from './engine/parallel/worker.js';

// Lint workers run this same file (engine/parallel/).
if (!runLintWorkerIfAny()) setLintWorkerScript(new URL(import.meta.url));

export { run } from './action/main.js';
