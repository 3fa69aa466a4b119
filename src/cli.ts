#!/usr/bin/env node
/**
 * Entry of the `trainlint` command (dist/cli.js): turns on Node's compile cache (Node 22+; a run
 * after the first starts from cached bytecode instead of compiling the bundle again), then loads
 * the command itself (dist/cli-main.js, a separate file so that it is compiled through the cache).
 */
import { enableCompileCache } from './compile-cache.js';

enableCompileCache();
void import('./cli-main.js');
