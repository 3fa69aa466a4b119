/**
 * Entry of the GitHub Action (dist/index.js): sets V8's flags for linting (v8-tuning.ts), turns on Node's compile cache, then loads the
 * action (dist/action-main.js, a separate file so that it is compiled through the cache) and
 * runs it.
 */
import { enableCompileCache } from './compile-cache.js';
import { tuneV8ForLinting } from './v8-tuning.js';

// V8's flags first: the compile cache checks them, and every later compilation uses them.
tuneV8ForLinting();
enableCompileCache();
void import('./action-main.js').then(({ run }) => run());
