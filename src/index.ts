/**
 * Entry of the GitHub Action (dist/index.js): turns on Node's compile cache, starts creating the
 * check run in progress (action/first-check-run.ts: the pull request shows trainlint running before
 * anything is linted), then loads the action (dist/action-main.js, a separate file so that it is
 * compiled through the cache) once that request has left, and runs it.
 */
import { startCheckRun } from './action/first-check-run.js';
import { enableCompileCache } from './compile-cache.js';

enableCompileCache();
const first = startCheckRun();
void (first ? first.sent : Promise.resolve()).then(() => import('./action-main.js')).then(({ run }) => run(first));
