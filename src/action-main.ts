/** The action itself (bundled to dist/action-main.js), loaded by src/index.ts once the compile cache is on. */
export { run } from './action/main.js';
