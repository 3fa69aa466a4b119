/**
 * Node's on-disk compile cache (Node 22.1+; the action runs on Node 24): modules loaded after
 * this call start from cached bytecode instead of being parsed and compiled again. The cache
 * lives in Node's default place (`node-compile-cache` in the OS temp folder, or the folder
 * NODE_COMPILE_CACHE names; NODE_DISABLE_COMPILE_CACHE turns it off). It only ever holds
 * trainlint's own bundled code. Older Node versions, or any failure, just run without it.
 */
import * as nodeModule from 'node:module';

export function enableCompileCache(): void {
  const enable = (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache;
  if (typeof enable !== 'function') return;
  try {
    enable();
  } catch {
    // A cache is an optimisation; never a reason to fail.
  }
}
