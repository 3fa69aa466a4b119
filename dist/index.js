'use strict';
const __trainlintFileUrl = require('node:url').pathToFileURL(__filename).href;
"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __esm = (fn, res, err) => function __init() {
  if (err) throw err[0];
  try {
    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
  } catch (e) {
    throw err = [e], e;
  }
};
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

// src/action/user-agent.ts
function userAgentWithOrchestrationId(userAgent, env = process.env) {
  const id = env.ACTIONS_ORCHESTRATION_ID?.trim();
  if (!id) return userAgent;
  const tag = `actions_orchestration_id/${id.replace(/[^a-z0-9_.-]/gi, "_")}`;
  if (userAgent?.includes(tag)) return userAgent;
  return `${userAgent ? `${userAgent} ` : ""}${tag}`;
}
var init_user_agent = __esm({
  "src/action/user-agent.ts"() {
    "use strict";
  }
});

// src/action/first-check-run.ts
var import_node_http = __toESM(require("node:http"), 1);
var import_node_https = __toESM(require("node:https"), 1);

// src/action/check-name.ts
var CHECK_NAME = "trainlint";

// src/action/event.ts
var import_node_fs = require("node:fs");
var ZERO_SHA = /^0+$/;
function str(v) {
  return typeof v === "string" && v !== "" ? v : void 0;
}
function readEvent(env = process.env) {
  const name = env.GITHUB_EVENT_NAME ?? "";
  let payload = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      payload = JSON.parse((0, import_node_fs.readFileSync)(env.GITHUB_EVENT_PATH, "utf8"));
    } catch {
      payload = {};
    }
  }
  const [owner = "", repo = ""] = (env.GITHUB_REPOSITORY ?? "").split("/");
  const sha = env.GITHUB_SHA ?? "";
  const base = { name, kind: "full", owner, repo, sha, headSha: sha, untrusted: false, fork: false };
  if ((name === "pull_request" || name === "pull_request_target") && payload.pull_request) {
    const pr = payload.pull_request;
    const fork = str(pr.head?.repo?.full_name) !== void 0 && pr.head.repo.full_name !== pr.base?.repo?.full_name;
    return {
      ...base,
      kind: "pull_request",
      headSha: str(pr.head?.sha) ?? sha,
      baseSha: str(pr.base?.sha),
      prNumber: typeof pr.number === "number" ? pr.number : typeof payload.number === "number" ? payload.number : void 0,
      untrusted: name === "pull_request_target" || fork,
      fork
    };
  }
  if (name === "merge_group" && payload.merge_group) {
    return { ...base, kind: "merge_group", headSha: str(payload.merge_group.head_sha) ?? sha, baseSha: str(payload.merge_group.base_sha) };
  }
  if (name === "push") {
    const before = str(payload.before);
    return { ...base, kind: "push", headSha: str(payload.after) ?? sha, baseSha: before && !ZERO_SHA.test(before) ? before : void 0 };
  }
  return base;
}

// src/action/core.ts
var import_node_fs2 = require("node:fs");
var import_node_os = require("node:os");

// src/report/escape.ts
var ESCAPE_SEQUENCE = new RegExp(
  [
    "(?:\\x1b\\]|\\u009d)[^\\x07\\x1b\\u009c]*(?:\\x07|\\x1b\\\\|\\u009c)",
    "(?:\\x1b[PX^_]|[\\u0090\\u0098\\u009e\\u009f])[^\\x07\\x1b\\u009c]*(?:\\x07|\\x1b\\\\|\\u009c)",
    "(?:\\x1b\\[|\\u009b)[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]",
    "\\x1b[\\x20-\\x2f]*[\\x30-\\x7e]"
  ].join("|"),
  "g"
);

// src/action/core.ts
function getInput(name) {
  return (process.env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
}

// src/action/octokit.ts
var DEFAULT_API_TIME_LIMIT_S = 180;
var PER_CALL_MS = 3e4;

// src/action/inputs.ts
var InputError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "InputError";
  }
};
function oneOf(name, allowed, fallback) {
  const raw = getInput(name).trim().toLowerCase();
  if (raw === "") return fallback;
  if (allowed.includes(raw)) return raw;
  throw new InputError(`input ${name} must be one of ${allowed.join(", ")} (got ${JSON.stringify(raw)})`);
}
function bool(name, fallback) {
  const raw = getInput(name).trim().toLowerCase();
  if (raw === "") return fallback;
  if (["true", "yes", "on", "1"].includes(raw)) return true;
  if (["false", "no", "off", "0"].includes(raw)) return false;
  throw new InputError(`input ${name} must be true or false (got ${JSON.stringify(raw)})`);
}
function seconds(name, fallback) {
  const raw = getInput(name).trim();
  if (raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 3600) throw new InputError(`input ${name} must be a number of seconds between 1 and 3600 (got ${JSON.stringify(raw)})`);
  return value;
}
function readInputs() {
  const files = getInput("files").split(/\s+/).filter((s) => s !== "");
  return {
    files,
    config: getInput("config").trim() || void 0,
    failOn: oneOf("fail-on", ["error", "warning", "never"], "error"),
    baseRef: getInput("base-ref").trim() || void 0,
    onlyChanged: bool("only-changed", void 0),
    annotations: oneOf("annotations", ["auto", "checks", "commands", "off"], "auto"),
    summary: bool("summary", true) ?? true,
    comment: bool("comment", false) ?? false,
    sarifFile: getInput("sarif-file").trim() || void 0,
    token: getInput("token").trim(),
    trustPrConfig: bool("trust-pr-config", false) ?? false,
    apiTimeLimit: seconds("api-time-limit", DEFAULT_API_TIME_LIMIT_S)
  };
}

// src/action/first-check-run.ts
init_user_agent();
var SEND_WAIT_MS = 2e3;
var PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];
var IN_PROGRESS_OUTPUT = { title: "trainlint: linting", summary: "trainlint is reading the training configs of this commit." };
function apiBase(env) {
  const url = env.GITHUB_API_URL || "https://api.github.com";
  let end = url.length;
  while (end > 0 && url.charCodeAt(end - 1) === 47) end--;
  return url.slice(0, end);
}
function wantsCheckRun(annotations, token, event) {
  return annotations !== "off" && annotations !== "commands" && token !== "" && event.owner !== "" && event.repo !== "" && event.headSha !== "";
}
function startCheckRun(env = process.env) {
  let inputs;
  try {
    inputs = readInputs();
  } catch {
    return void 0;
  }
  const event = readEvent(env);
  if (!wantsCheckRun(inputs.annotations, inputs.token, event)) return void 0;
  if (PROXY_VARIABLES.some((v) => env[v])) return void 0;
  let url;
  try {
    url = new URL(`${apiBase(env)}/repos/${encodeURIComponent(event.owner)}/${encodeURIComponent(event.repo)}/check-runs`);
  } catch {
    return void 0;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return void 0;
  const body = JSON.stringify({
    name: CHECK_NAME,
    head_sha: event.headSha,
    status: "in_progress",
    started_at: (/* @__PURE__ */ new Date()).toISOString(),
    ...env.GITHUB_RUN_ID && event.owner ? { details_url: `${env.GITHUB_SERVER_URL || "https://github.com"}/${event.owner}/${event.repo}/actions/runs/${env.GITHUB_RUN_ID}` } : {},
    output: IN_PROGRESS_OUTPUT
  });
  const request = sendJson("POST", url, inputs.token, body, Math.min(PER_CALL_MS, inputs.apiTimeLimit * 1e3), env);
  return { sent: request.sent, headSha: event.headSha, result: request.answer.then(classify) };
}
function classify(answer) {
  if ("error" in answer) return { kind: "failed", why: answer.error, ms: answer.ms };
  const { status, headers, text, ms } = answer;
  if (status === 201 || status === 200) {
    let id;
    try {
      id = JSON.parse(text)?.id;
    } catch {
      id = void 0;
    }
    return typeof id === "number" ? { kind: "created", id, ms } : { kind: "failed", why: "malformed answer from the GitHub API: no check run id", ms };
  }
  const rateLimited = headers["retry-after"] !== void 0 || headers["x-ratelimit-remaining"] === "0";
  if (status === 403 && !rateLimited) return { kind: "forbidden", message: messageOf(text), ms };
  return { kind: "failed", why: `HTTP ${status}`, ms };
}
function messageOf(text) {
  try {
    const m = JSON.parse(text)?.message;
    return typeof m === "string" ? m : "";
  } catch {
    return "";
  }
}
function sendJson(method, url, token, body, timeoutMs, env = process.env) {
  const started = Date.now();
  let markSent = () => {
  };
  const sent = new Promise((resolve) => {
    markSent = resolve;
    setTimeout(resolve, SEND_WAIT_MS).unref();
  });
  const answer = new Promise((resolve) => {
    let done = false;
    const finish = (a) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      markSent();
      resolve(a);
    };
    const client = url.protocol === "https:" ? import_node_https.default : import_node_http.default;
    const req = client.request(
      url,
      {
        method,
        headers: {
          accept: "application/vnd.github+json",
          authorization: `token ${token}`,
          "content-type": "application/json; charset=utf-8",
          "content-length": Buffer.byteLength(body),
          "user-agent": userAgentWithOrchestrationId("trainlint-action", env) ?? "trainlint-action",
          "x-github-api-version": "2022-11-28"
        }
      },
      (res) => {
        const chunks = [];
        let size = 0;
        res.on("data", (c) => {
          size += c.length;
          if (size <= 1 << 20) chunks.push(c);
        });
        res.on("end", () => finish({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8"), ms: Date.now() - started }));
        res.on("error", (err) => finish({ error: `network error (${err.message})`, ms: Date.now() - started }));
      }
    );
    const deadline = setTimeout(() => {
      finish({ error: `no answer from the GitHub API within ${Math.round(timeoutMs / 1e3)} s`, ms: Date.now() - started });
      req.destroy();
    }, timeoutMs);
    req.on("error", (err) => finish({ error: `network error (${err.message})`, ms: Date.now() - started }));
    req.on("finish", markSent);
    req.end(body);
  });
  return { sent, answer };
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

// src/index.ts
enableCompileCache2();
var first = startCheckRun();
void (first ? first.sent : Promise.resolve()).then(() => Promise.resolve().then(() => __toESM(require("./action-main.js"), 1))).then(({ run }) => run(first));
