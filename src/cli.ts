#!/usr/bin/env node
/**
 * Entry of the `trainlint` command (dist/cli.js): turns on Node's compile cache (Node 22+: the
 * files the command loads on first use, validators and vendored packages, start from cached
 * bytecode), then runs the command itself, dist/cli-main.js, from trainlint's own code cache
 * (code-cache.ts: V8's data for the bundle after a run, under Node 20 too). The bundle build
 * writes TRAINLINT_CLI_MAIN_BUILD, the hash of dist/cli-main.js, into this entry; run from the
 * sources (no build), the command is imported as any module.
 */
import { fileURLToPath } from 'node:url';
import { runBundleWithCodeCache } from './code-cache.js';
import { enableCompileCache } from './compile-cache.js';

declare const TRAINLINT_CLI_MAIN_BUILD: string | undefined;

enableCompileCache();
if (typeof TRAINLINT_CLI_MAIN_BUILD === 'string') runBundleWithCodeCache(fileURLToPath(new URL('./cli-main.js', import.meta.url)), TRAINLINT_CLI_MAIN_BUILD);
else void import('./cli-main.js');
