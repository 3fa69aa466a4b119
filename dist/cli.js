#!/usr/bin/env node
'use strict';
const __trainlintFileUrl = require('node:url').pathToFileURL(__filename).href;
"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// src/cli.ts
var import_node_url = require("node:url");

// src/code-cache.ts
var import_node_fs = require("node:fs");
var import_node_module = require("node:module");
var import_node_os = require("node:os");
var import_node_path = __toESM(require("node:path"), 1);

// trainlint-builtin:node:v8
var loaded;
var load = () => loaded ??= require("node:v8");
function setFlagsFromString(...args) {
  const f = load().setFlagsFromString;
  return new.target ? new f(...args) : f(...args);
}

// src/code-cache.ts
var import_node_vm = require("node:vm");
var MAX_GENERATIONS = 3;
var MAGIC = 1128483924;
var FORMAT = 1;
var HEADER_BYTES = 8;
var MAX_CACHE_BYTES = 64 * 1024 * 1024;
var checksums = false;
function verifyChecksums() {
  if (checksums) return;
  checksums = true;
  setFlagsFromString("--verify-snapshot-checksum");
}
var WRAP_HEAD = "(function (exports, require, module, __filename, __dirname) { ";
var WRAP_TAIL = "\n})";
function codeCacheDir(env = process.env) {
  if (env.NODE_DISABLE_COMPILE_CACHE) return void 0;
  const base = env.NODE_COMPILE_CACHE ? import_node_path.default.resolve(env.NODE_COMPILE_CACHE) : import_node_path.default.join((0, import_node_os.tmpdir)(), "node-compile-cache");
  return import_node_path.default.join(base, `trainlint-${currentUid() ?? "user"}`);
}
var currentUid = () => typeof process.getuid === "function" ? process.getuid() : void 0;
function isPrivate(st) {
  const uid = currentUid();
  if (uid === void 0) return true;
  return st.uid === uid && (st.mode & 18) === 0;
}
var NO_CACHE = { generation: 0, unsafe: false };
var UNSAFE = { generation: 0, unsafe: true };
function readCache(dir, file) {
  let dirStat;
  try {
    dirStat = (0, import_node_fs.lstatSync)(dir);
  } catch {
    return NO_CACHE;
  }
  if (!dirStat.isDirectory() || !isPrivate(dirStat)) return UNSAFE;
  let fd;
  try {
    fd = (0, import_node_fs.openSync)(file, import_node_fs.constants.O_RDONLY | (import_node_fs.constants.O_NOFOLLOW ?? 0));
  } catch {
    return NO_CACHE;
  }
  try {
    const st = (0, import_node_fs.fstatSync)(fd);
    if (!st.isFile() || !isPrivate(st)) return UNSAFE;
    if (st.size <= HEADER_BYTES || st.size > MAX_CACHE_BYTES) return NO_CACHE;
    const bytes = (0, import_node_fs.readFileSync)(fd);
    if (bytes.length !== st.size || bytes.readUInt32LE(0) !== MAGIC || bytes[4] !== FORMAT) return NO_CACHE;
    return { data: bytes.subarray(HEADER_BYTES), generation: bytes[5], unsafe: false };
  } catch {
    return NO_CACHE;
  } finally {
    (0, import_node_fs.closeSync)(fd);
  }
}
function writeCache(dir, file, generation, data) {
  let tmp;
  try {
    (0, import_node_fs.mkdirSync)(dir, { recursive: true, mode: 448 });
    const st = (0, import_node_fs.lstatSync)(dir);
    if (!st.isDirectory() || !isPrivate(st)) return false;
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32LE(MAGIC, 0);
    header[4] = FORMAT;
    header[5] = Math.min(generation, 255);
    tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
    (0, import_node_fs.writeFileSync)(tmp, Buffer.concat([header, data]), { mode: 384, flag: "wx" });
    (0, import_node_fs.renameSync)(tmp, file);
    return true;
  } catch {
    if (tmp !== void 0) {
      try {
        (0, import_node_fs.unlinkSync)(tmp);
      } catch {
      }
    }
    return false;
  }
}
function cacheName(build, st) {
  const identity = `${build}-${st.size}-${Math.round(st.mtimeMs * 1e3)}-${st.ino}`;
  return /^[0-9a-z-]+$/i.test(identity) ? `cli-main-${process.version}-${process.arch}-${identity}.cache` : void 0;
}
function compileWithCodeCache(file, build, dir) {
  const fd = (0, import_node_fs.openSync)(file, "r");
  let source;
  let name;
  try {
    name = cacheName(build, (0, import_node_fs.fstatSync)(fd));
    source = (0, import_node_fs.readFileSync)(fd, "utf8");
  } finally {
    (0, import_node_fs.closeSync)(fd);
  }
  const cacheFile = dir === void 0 || name === void 0 ? void 0 : import_node_path.default.join(dir, name);
  const read = cacheFile === void 0 ? NO_CACHE : readCache(dir, cacheFile);
  if (read.data !== void 0) verifyChecksums();
  const script = new import_node_vm.Script(WRAP_HEAD + source + WRAP_TAIL, { filename: file, cachedData: read.data });
  const status = cacheFile === void 0 ? "off" : read.unsafe ? "unsafe" : read.data === void 0 ? "missing" : script.cachedDataRejected ? "rejected" : "accepted";
  const wantsSave = status === "missing" || status === "rejected" || status === "accepted" && read.generation < MAX_GENERATIONS;
  let saved = false;
  return {
    status,
    cacheFile,
    wantsSave,
    run() {
      const wrapper = script.runInThisContext();
      const module2 = { exports: {} };
      wrapper.call(module2.exports, module2.exports, (0, import_node_module.createRequire)(file), module2, file, import_node_path.default.dirname(file));
      return module2.exports;
    },
    save() {
      if (!wantsSave || saved || cacheFile === void 0) return false;
      saved = true;
      let data;
      try {
        verifyChecksums();
        data = script.createCachedData();
      } catch {
        return false;
      }
      const generation = status === "accepted" ? read.generation + 1 : 1;
      return writeCache(dir, cacheFile, generation, data);
    }
  };
}
function runBundleWithCodeCache(file, build) {
  const bundle = compileWithCodeCache(file, build, codeCacheDir());
  if (bundle.wantsSave) process.once("exit", () => bundle.save());
  bundle.run();
}

// src/compile-cache.ts
var nodeModule = __toESM(require("node:module"), 1);
function enableCompileCache2() {
  const enable = nodeModule.enableCompileCache;
  if (typeof enable !== "function") return;
  try {
    enable();
  } catch {
  }
}

// src/cli.ts
enableCompileCache2();
if (true) runBundleWithCodeCache((0, import_node_url.fileURLToPath)(new URL("./cli-main.js", __trainlintFileUrl)), "eb781c4071510f627c21");
else ;
