#!/usr/bin/env node
import { createRequire as __trainlintCreateRequire } from 'node:module';
const require = __trainlintCreateRequire(import.meta.url);

// src/compile-cache.ts
import module from "node:module";
function enableCompileCache() {
  const enable = module.enableCompileCache;
  if (typeof enable !== "function") return;
  try {
    enable();
  } catch {
  }
}

// src/cli.ts
enableCompileCache();
await import("./cli-main.js");
