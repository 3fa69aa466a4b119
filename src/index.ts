/**
 * Entry of the GitHub Action (dist/index.js): turns on Node's compile cache, then loads the
 * action (dist/action-main.js, a separate file so that it is compiled through the cache) and
 * runs it.
 */
import { enableCompileCache } from './compile-cache.js';

enableCompileCache();
void import('./action-main.js').then(({ run }) => run());
