// The offline queue's order: entries leave in the order they were made, a change of an
// element not yet sent is replaced in its place, a batch holds consecutive changes of one
// visit with at most one per element, and a change queued while the previous one of its
// element was on its way carries the version that answer gave. The last tests run the
// real SyncQueue against a small HTTP server on 127.0.0.1.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, beforeEach, test } from "node:test";

import { memoryKv } from "./support.mjs";
import { BATCH, SyncQueue, addEntry, dropItem, markBatch, takeBatch, withBase } from "../../survey_app/static/js/sync.js";
import * as store from "../../survey_app/static/js/store.js";

let n = 0;
const change = (visit, target, op = "set", extra = {}) => ({
  id: `m${++n}`, kind: "change", visit, message: { id: `msg${n}`, target, op, value: `v${n}`, base_version: 0, ...extra } });

test("entries keep the order they were made in", () => {
  let list = [];
  const made = [change("1", "a"), change("1", "b"), { id: "p1", kind: "photo", visit: "1", fields: {} }, change("2", "a")];
  for (const entry of made) list = addEntry(list, entry).list;
  assert.deepEqual(list.map((e) => e.id), made.map((e) => e.id));
  assert.ok(list.every((e) => e.sent === false));
});

test("a set of an element not yet sent replaces that entry's value in its place", () => {
  const first = change("1", "a");
  const b = change("1", "b");
  const list = addEntry(addEntry([], first).list, b).list;
  const again = change("1", "a");
  const added = addEntry(list, again);
  assert.equal(added.id, first.id);
  assert.deepEqual(added.list.map((e) => [e.id, e.message.value]), [[first.id, again.message.value], [b.id, b.message.value]]);
  assert.equal(list[0].message.value, first.message.value, "the list given is not changed");
});

test("an add not yet sent takes the later value; a sent one, another visit or a move does not", () => {
  const add = change("1", "difficulty", "add", { item: "i1" });
  let list = addEntry([], add).list;
  const set = change("1", "difficulty", "set", { item: "i1" });
  assert.equal(addEntry(list, set).id, add.id);
  assert.equal(addEntry(list, set).list[0].message.op, "add");
  list = markBatch(list).list;
  assert.equal(addEntry(list, set).id, set.id, "the add is on its way: a new entry");
  assert.equal(addEntry([], change("2", "a")).list.length, 1);
  const other = addEntry(addEntry([], change("1", "a")).list, change("2", "a"));
  assert.equal(other.list.length, 2, "another visit's element");
  const move = change("1", "difficulty", "move", { item: "i1" });
  assert.equal(addEntry(addEntry([], add).list, move).list.length, 2, "a move is its own message");
  const otherItem = change("1", "difficulty", "set", { item: "i2" });
  assert.equal(addEntry(addEntry([], add).list, otherItem).list.length, 2, "another item of the list");
});

test("a batch: consecutive changes of one visit, one per element, at most BATCH", () => {
  const list = [change("1", "a"), change("1", "b"), change("1", "a"), change("1", "c")];
  assert.deepEqual(takeBatch(list), [list[0].id, list[1].id]);
  const visits = [change("1", "a"), change("2", "a"), change("1", "b")];
  assert.deepEqual(takeBatch(visits), [visits[0].id]);
  const photo = [{ id: "p", kind: "photo", visit: "1" }, change("1", "a")];
  assert.deepEqual(takeBatch(photo), ["p"], "a photo goes alone");
  const before = change("1", "a");
  assert.deepEqual(takeBatch([before, photo[0]]), [before.id], "and ends a batch of changes");
  const items = [change("1", "d", "add", { item: "x" }), change("1", "d", "add", { item: "y" }), change("1", "d", "set", { item: "x" })];
  assert.equal(takeBatch(items).length, 2, "two items of one list, then the second change of x waits");
  const many = Array.from({ length: BATCH + 10 }, (_, i) => change("1", `f${i}`));
  assert.equal(takeBatch(many).length, BATCH);
});

test("taking a batch marks exactly it as sent", () => {
  const list = [change("1", "a"), change("1", "a"), change("1", "b")];
  const taken = markBatch(list);
  assert.deepEqual(taken.entries.map((e) => e.id), [list[0].id]);
  assert.deepEqual(taken.list.map((e) => e.sent), [true, undefined, undefined]);
  assert.deepEqual(markBatch([]), { list: [], entries: [] });
});

test("dropping an item keeps what was sent and says whether anything left the tablet", () => {
  const add = { ...change("1", "d", "add", { item: "x" }), sent: true };
  const set = change("1", "d", "set", { item: "x" });
  const other = change("1", "d", "set", { item: "y" });
  assert.deepEqual(dropItem([set, other], "1", "x"), { list: [other], untouched: true });
  const dropped = dropItem([add, set, other], "1", "x");
  assert.deepEqual(dropped.list.map((e) => e.id), [add.id, other.id]);
  assert.equal(dropped.untouched, false);
  assert.equal(dropItem([set], "2", "x").list.length, 1, "another visit's item of that uid");
});

test("withBase: the newest version the tablet knows, never an older one", () => {
  const message = { id: "m", target: "a", op: "set", value: 1, base_version: 3 };
  assert.equal(withBase(message, 7).base_version, 7);
  assert.equal(withBase(message, 2).base_version, 3);
  assert.equal(withBase(message, undefined), message);
  const add = { id: "m", target: "d", op: "add", item: "x", value: {} };
  assert.equal(withBase(add, 9), add, "an add has no version");
  assert.equal(message.base_version, 3, "the message is not changed");
});

// ------------------------------------------------------------ the real queue over HTTP

let server;
let base;
const received = [];
let answer = (messages) => messages.map((m) => ({ id: m.id, status: 200, ok: true, version: 1 }));
let hold = null; // a promise the server waits for before answering

before(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => { body += chunk; });
    request.on("end", async () => {
      const { messages } = JSON.parse(body);
      received.push({ url: request.url, csrf: request.headers["x-csrftoken"], messages });
      if (hold) await hold;
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ ok: true, results: answer(messages) }));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

beforeEach(() => {
  globalThis.idbKeyval = memoryKv();
  store.useUser("7");
  received.length = 0;
  hold = null;
  answer = (messages) => messages.map((m) => ({ id: m.id, status: 200, ok: true, version: 1 }));
});

function queueWith(results) {
  return new SyncQueue({ csrf: "token", base, onResult: (entry, status, body) => results.push([entry.id, status, body.version]) });
}

test("the queue sends in the order made, merged changes once, and empties the outbox", async () => {
  const results = [];
  const queue = queueWith(results);
  queue.running = true; // hold the pump while entries are made, as when offline
  const a = change("1", "a");
  const b = change("1", "b");
  await queue.enqueue(a);
  await queue.enqueue(b);
  const a2 = change("1", "a");
  assert.equal(await queue.enqueue(a2), a.id, "merged into the unsent change of a");
  await queue.enqueue(change("2", "a"));
  assert.equal(await queue.size(), 3);
  queue.running = false;
  await queue.pump();
  assert.deepEqual(received.map((r) => r.url), ["/visits/1/changes", "/visits/2/changes"]);
  assert.deepEqual(received[0].messages.map((m) => [m.target, m.value]), [["a", a2.message.value], ["b", b.message.value]]);
  assert.ok(received.every((r) => r.csrf === "token"));
  assert.deepEqual(results.map(([, status]) => status), [200, 200, 200]);
  assert.equal(await queue.size(), 0);
  assert.equal(await store.get("versions"), undefined, "versions are dropped once every message is answered");
});

test("a change made while its element's previous one is on its way follows it with that answer's version", async () => {
  const results = [];
  const queue = queueWith(results);
  let release;
  hold = new Promise((resolve) => { release = resolve; });
  answer = (messages) => messages.map((m) => ({ id: m.id, status: 200, ok: true, version: m.base_version + 5 }));
  const first = change("1", "a");
  await queue.enqueue(first); // pumps: the first change leaves
  while (!received.length) await new Promise((resolve) => setTimeout(resolve, 5));
  const second = change("1", "a");
  assert.equal(await queue.enqueue(second), second.id, "not merged into a change already sent");
  release();
  while (received.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  hold = null;
  while (await queue.size()) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(received.map((r) => r.messages.map((m) => m.id)), [[first.message.id], [second.message.id]]);
  assert.equal(received[1].messages[0].base_version, 5, "the version the first answer gave");
  assert.deepEqual(results.map(([id]) => id), [first.id, second.id]);
});

test("an expired CSRF token, refused in the app's own words, is renewed and the change sent once", async () => {
  // The app refuses a stale token with its "session expired" message and field
  // csrf_token, never with the word CSRF: the queue must go by the field.
  const seen = [];
  const app = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => { body += chunk; });
    request.on("end", () => {
      seen.push([request.method, request.url, request.headers["x-csrftoken"]]);
      response.setHeader("Content-Type", "application/json");
      if (request.url === "/offline/token") return response.end(JSON.stringify({ csrf: "fresh" }));
      if (request.headers["x-csrftoken"] !== "fresh") {
        response.statusCode = 400;
        return response.end(JSON.stringify({ ok: false, field: "csrf_token",
          error: "Phiên làm việc đã hết hạn. Vui lòng tải lại trang rồi thử lại." }));
      }
      const { messages } = JSON.parse(body);
      response.end(JSON.stringify({ ok: true, results: messages.map((m) => ({ id: m.id, status: 200, ok: true, version: 1 })) }));
    });
  });
  await new Promise((resolve) => app.listen(0, "127.0.0.1", resolve));
  try {
    const results = [];
    const queue = new SyncQueue({ csrf: "stale", base: `http://127.0.0.1:${app.address().port}`,
                                  onResult: (entry, status) => results.push([entry.id, status]) });
    const entry = change("3", "a");
    await queue.enqueue(entry);
    while (await queue.size()) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(seen, [["POST", "/visits/3/changes", "stale"], ["GET", "/offline/token", undefined],
                            ["POST", "/visits/3/changes", "fresh"]]);
    assert.deepEqual(results, [[entry.id, 200]]);
    assert.equal(queue.csrf, "fresh");
  } finally {
    app.close();
  }
});
