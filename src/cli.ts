#!/usr/bin/env node
/**
 * Entry of the `trainlint` command (dist/cli.js): sets V8's flags for linting (v8-tuning.ts), turns on Node's compile cache (Node 22+; a run
 * after the first starts from cached bytecode instead of compiling the bundle again), then loads
 * the command itself (dist/cli-main.js, a separate file so that it is compiled through the cache).
 */
import { enableCompileCache } from './compile-cache.js';
import { tuneV8ForLinting } from './v8-tuning.js';

// V8's flags first: the compile cache checks them, and every later compilation uses them.
tuneV8ForLinting();
enableCompileCache();
void import('./cli-main.js');
