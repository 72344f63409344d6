// SyncQueue: the outbox of the tablet. An entry is written to IndexedDB before anything
// is sent; entries go to the server in order, consecutive changes of one visit in one
// batch, with retry and back-off on network errors and 5xx, and at once when the
// browser comes back online. Each change carries its client-made id, so a resend (an
// answer lost on the way) is answered with the first result, never applied twice.
// It knows nothing of pages: answers go to store.settle() and then to onResult.
// The order of the outbox is decided by the pure functions at the end (addEntry,
// dropItem, takeBatch, markBatch, withBase), tested with node (tests/js/).
import * as store from "./store.js";

const DELAYS = [500, 1000, 2000, 4000, 8000, 15000, 30000];
export const BATCH = 50;
// Where entries go; `{id}` is the server id of the visit.
export const URLS = Object.freeze({ changes: "/visits/{id}/changes", photos: "/visits/{id}/photos",
                                    create: "/visits/from-device", token: "/offline/token" });

export class SyncQueue {
  // `base` is the server's origin when the page's own is not meant (node's tests).
  constructor({ csrf, urls = URLS, base = "", onResult = () => {}, onState = () => {}, onCount = () => {} }) {
    Object.assign(this, { csrf, urls, base, onResult, onState, onCount, running: false, wakeUp: null });
  }

  // Send at once when the browser comes back online.
  listen(target) {
    target.addEventListener("online", () => { this.wake(); this.pump(); });
  }

  url(name, id = "") { return this.base + this.urls[name].replace("{id}", encodeURIComponent(id)); }

  async size() { return ((await store.get("outbox")) || []).length; }

  async count() { this.onCount(await this.size()); }

  // Add an entry (persisted first). A `set` for an element whose previous change was
  // not yet sent replaces that change's value instead of adding a message.
  async enqueue(entry) {
    let id = entry.id;
    await store.update("outbox", (list = []) => {
      const added = addEntry(list, entry);
      id = added.id;
      return added.list;
    });
    this.count();
    this.pump();
    return id;
  }

  // Drop the unsent messages of a list item (an item added and deleted before any send).
  // True when nothing of it ever left the tablet.
  async cancelItem(visit, item) {
    let untouched = true;
    await store.update("outbox", (list = []) => {
      const left = dropItem(list, visit, item);
      untouched = left.untouched;
      return left.list;
    });
    this.count();
    return untouched;
  }

  wake() { if (this.wakeUp) this.wakeUp(); }

  sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => { clearTimeout(timer); resolve(); };
    });
  }

  async pump() {
    if (this.running) return;
    this.running = true;
    try {
      const locks = globalThis.navigator?.locks;
      await (locks ? locks.request(`outbox-${store.owner()}`, () => this.drain()) : this.drain());
    } finally {
      this.running = false;
    }
  }

  async drain() {
    let attempt = 0;
    for (;;) {
      // Taken and marked sent in one transaction: a value that enqueue() puts into an
      // unsent entry is either in this batch or left for the next one, never dropped.
      let entries = [];
      await store.update("outbox", (all = []) => {
        const taken = markBatch(all);
        entries = taken.entries;
        return taken.list;
      });
      if (!entries.length) break;
      this.onState(attempt ? "retrying" : "sending");
      this.attempt = attempt;
      const answers = await this.send(entries);
      if (answers === null) {
        await this.sleep(DELAYS[Math.min(attempt, DELAYS.length - 1)]);
        attempt += 1;
        continue;
      }
      attempt = 0;
      for (const [entry, [status, body]] of entries.map((e, i) => [e, answers[i]])) {
        await store.settle(entry, status, body);
        await store.update("outbox", (all = []) => all.filter((e) => e.id !== entry.id));
        this.onResult(entry, status, body);
      }
      this.count();
    }
    await store.del("versions"); // every message answered: the pages' versions are the server's
    this.onState("idle");
  }

  // [[status, body], …] one per entry, or null when the batch should be sent again.
  async send(entries) {
    const first = entries[0];
    const id = /^\d+$/.test(first.visit) ? first.visit : ((await store.get("ids")) || {})[first.visit];
    if (first.kind === "create") return [await this.post(this.url("create"), JSON.stringify(first.body), true)];
    if (!id) return [[409, { ok: false, error: "visit not created yet" }]];
    if (first.kind === "photo") return [await this.post(this.url("photos", id), await photoForm(first))];
    const versions = (await store.get("versions")) || {};
    const messages = entries.map(({ visit, message }) => withBase(message, versions[store.versionKey(visit, message)]));
    const answer = await this.post(this.url("changes", id), JSON.stringify({ messages }), true);
    if (answer === null) return null;
    const [status, body] = answer;
    if (status !== 200 || !Array.isArray(body.results)) return entries.map(() => answer);
    return body.results.map((result) => [result.status, result]);
  }

  async post(url, body, json = false, retried = false) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST", credentials: "same-origin", body, redirect: "manual",
        headers: { Accept: "application/json", "X-CSRFToken": this.csrf,
                   ...(json ? { "Content-Type": "application/json" } : {}) } });
    } catch (error) {
      return null; // offline or the connection broke: the ids make a resend safe
    }
    // 502–504 (a proxy, the network) and a few 500s are retried; a 500 that keeps coming
    // is answered as an error so the entries behind it are not held forever.
    const busy = response.status >= 502 || (response.status === 500 && this.attempt < 3);
    if (busy || response.type === "opaqueredirect" || response.status === 401) {
      this.onState(busy ? "retrying" : "signin");
      return null;
    }
    const answer = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
    if (response.status === 400 && answer.field === "csrf_token" && !retried && await this.refreshToken()) {
      return this.post(url, body, json, true);
    }
    return [response.status, answer];
  }

  // A page cached hours ago holds an expired CSRF token: ask for a fresh one.
  async refreshToken() {
    try {
      const response = await fetch(this.url("token"), { credentials: "same-origin", redirect: "manual" });
      if (!response.ok) return false;
      this.csrf = (await response.json()).csrf;
      return true;
    } catch (error) {
      return false;
    }
  }
}

// ------------------------------------------------------------ the outbox's order (pure)

// The outbox after adding an entry, and the id the entry goes by. Entries keep the order
// they were made in; a `set` of an element whose previous `set` or `add` is not sent yet
// replaces that entry's value in its place (one message, the latest value).
export function addEntry(list, entry) {
  const twin = entry.kind === "change" && entry.message.op === "set" && [...list].reverse().find((e) => !e.sent
    && e.kind === "change" && e.visit === entry.visit && e.message.target === entry.message.target
    && (e.message.item || "") === (entry.message.item || "") && ["set", "add"].includes(e.message.op));
  if (!twin) return { list: [...list, { ...entry, sent: false }], id: entry.id };
  const merged = { ...twin, message: { ...twin.message, value: entry.message.value } };
  return { list: list.map((e) => (e === twin ? merged : e)), id: twin.id };
}

// The outbox without the unsent messages of a list item; `untouched` when none of its
// messages had left the tablet.
export function dropItem(list, visit, item) {
  const mine = (e) => e.kind === "change" && e.visit === visit && e.message.item === item;
  return { list: list.filter((e) => !mine(e) || e.sent), untouched: !list.some((e) => mine(e) && e.sent) };
}

// The next batch taken from the head of the outbox and marked sent: {list, entries}.
export function markBatch(list) {
  const batch = new Set(list.length ? takeBatch(list) : []);
  const marked = list.map((e) => (batch.has(e.id) ? { ...e, sent: true } : e));
  return { list: marked, entries: marked.filter((e) => batch.has(e.id)) };
}

// Ids of the entries sent together: consecutive changes of one visit, at most one per
// element (a second change of it needs the version the first one returns).
export function takeBatch(list) {
  const head = list[0];
  if (head.kind !== "change") return [head.id];
  const ids = [];
  const seen = new Set();
  for (const entry of list) {
    const key = entry.kind === "change" && `${entry.message.target}|${entry.message.item || ""}`;
    if (!key || entry.visit !== head.visit || seen.has(key) || ids.length >= BATCH) break;
    seen.add(key);
    ids.push(entry.id);
  }
  return ids;
}

// The message with the newest version the tablet knows of its element: a change queued
// before our previous one was answered carries the version that answer gave.
export function withBase(message, known) {
  if (!("base_version" in message) || known === undefined) return message;
  return { ...message, base_version: Math.max(message.base_version, known) };
}

async function photoForm(entry) {
  const form = new FormData();
  const blob = await store.get(`photo:${entry.id}`);
  form.append("file", blob, `${entry.id}.jpg`);
  form.append("item", entry.id);
  Object.entries(entry.fields || {}).forEach(([key, value]) => form.append(key, value));
  return form;
}
