// Every module of survey_app/static/js imports without a page (node has no document or
// window): none touches the DOM at import; each page module exports start(config); the
// constants the service worker shares name every script of the shell.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import vm from "node:vm";

import { JS } from "./support.mjs";

const PAGE_MODULES = ["capture.js", "capture-local.js", "home.js", "plan.js", "signature.js", "unit-picker.js",
                      "unit-report.js", "visits-local.js"];
const ENTRY = "app.js"; // the one module that starts the page when imported
const modules = readdirSync(JS).filter((name) => name.endsWith(".js"));

test("no module but the entry point touches a page when imported", async () => {
  assert.equal(typeof globalThis.document, "undefined");
  assert.equal(typeof globalThis.window, "undefined");
  for (const name of modules.filter((n) => n !== ENTRY)) {
    await assert.doesNotReject(import(new URL(name, JS)), name);
  }
});

test("the entry point is the one that does, and it starts every page module", async () => {
  await assert.rejects(import(new URL(ENTRY, JS)), /document is not defined/);
  const entry = readFileSync(new URL(ENTRY, JS), "utf8");
  for (const name of PAGE_MODULES) assert.match(entry, new RegExp(`"${name.replace(".", "\\.")}": `), name);
});

test("each page module exports start(config)", async () => {
  for (const name of PAGE_MODULES) {
    const module = await import(new URL(name, JS));
    assert.equal(typeof module.start, "function", name);
    assert.equal(module.start.length, 1, name);
  }
});

test("the shell the worker keeps holds every script, and the constants file is the worker's", async () => {
  await import(new URL("constants.js", JS));
  const shell = globalThis.SURVEY_SHELL;
  assert.ok(Object.isFrozen(shell) && Object.isFrozen(shell.SHELL_FILES));
  assert.equal(shell.SHELL_CACHE, `${shell.SHELL_PREFIX}${shell.SHELL_VERSION}`);
  for (const name of modules) assert.ok(shell.SHELL_FILES.includes(`/static/js/${name}`), name);
  const worker = readFileSync(new URL("../sw.js", JS), "utf8");
  assert.match(worker, /self\.SURVEY_SHELL/);
  assert.doesNotMatch(worker, /shell-v\d|const VERSION|"\/static\/js\//); // no second copy of the names
});

test("kept pages: what a page keeps itself, the worker keeps too", async () => {
  await import(new URL("constants.js", JS));
  const { KEPT_PAGES, SELF_KEPT_PAGE, LOCAL_PAGE } = globalThis.SURVEY_SHELL;
  const kept = (path) => KEPT_PAGES.some((re) => re.test(path));
  for (const path of ["/visits", "/visits/new", "/visits/12", "/visits/12/capture"]) {
    assert.ok(SELF_KEPT_PAGE.test(path) && kept(path), path);
  }
  assert.ok(kept("/visits/blank/ttpvhcc-xa/capture") && kept("/"));
  for (const path of ["/visits/12/minutes", "/admin", "/visits/12/capture/x", "/followup/"]) {
    assert.ok(!SELF_KEPT_PAGE.test(path) && !kept(path), path);
  }
  assert.ok(LOCAL_PAGE.test("/visits/local/0b7c6f1e-8a8d-4a8e-9d1b-2f4c3e5a6b7c/capture"));
  assert.ok(!LOCAL_PAGE.test("/visits/local/x/y/capture") && !kept("/visits/local/abc/capture"));
});

// The worker as /sw.js serves it (web/offline.py): constants.js, then sw.js, one script.
function loadWorker() {
  const source = ["constants.js", "../sw.js"].map((name) => readFileSync(new URL(name, JS), "utf8")).join("\n");
  const listeners = {};
  const context = vm.createContext({
    URL, Response, Promise, setTimeout,
    location: { origin: "https://khaosat.example" },
    caches: { open: () => new Promise(() => {}), keys: async () => [] },
    addEventListener: (type, fn) => { listeners[type] = fn; },
  });
  context.self = context;
  vm.runInContext(source, context, { filename: "sw.js" });
  return { listeners, context };
}

test("the served worker runs, and routes pages by the shared patterns", () => {
  const { listeners, context } = loadWorker();
  assert.deepEqual(Object.keys(listeners).sort(), ["activate", "fetch", "install"]);
  assert.equal(context.SURVEY_SHELL.SHELL_CACHE, `shell-${context.SURVEY_SHELL.SHELL_VERSION}`);
  const handled = (path, mode = "navigate", method = "GET") => {
    let answered = false;
    listeners.fetch({ request: { method, mode, url: `https://khaosat.example${path}` },
                      respondWith: (promise) => { answered = true; promise.catch(() => null); } });
    return answered;
  };
  for (const path of ["/visits/3/capture", "/visits", "/visits/new", "/", "/visits/local/ab-12/capture"]) {
    assert.ok(handled(path), path);
  }
  assert.ok(handled("/static/js/app.js", "cors") && handled("/visits/3/photos/x", "no-cors"));
  assert.ok(!handled("/visits/3/minutes") && !handled("/admin/users") && !handled("/visits/3/changes", "cors", "POST"));
});

test("the home page says how many entries wait in the outbox, or that none do", async () => {
  const { outboxText } = await import(new URL("home.js", JS));
  const texts = { none: "Không có mục nào chờ gửi.", waiting: "mục đang chờ gửi từ thiết bị này" };
  assert.equal(outboxText(texts, 0), texts.none);
  assert.equal(outboxText(texts, 3), "3 mục đang chờ gửi từ thiết bị này");
});
