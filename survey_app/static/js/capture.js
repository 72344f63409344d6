// The capture page: every input saves itself as an autosave message (see
// domain/changes.py) through a SyncQueue; per-field and global status, conflicts
// with a choice of value, list items (add, edit, move, delete) and photo uploads.
import { SyncQueue } from "./sync.js";

const root = document.getElementById("capture");
const TEXTS = JSON.parse(document.getElementById("capture-texts").textContent);
const CSRF = document.querySelector('meta[name="csrf-token"]').content;
const DEBOUNCE_MS = 700;
const states = new Map(); // element → {inflight, waiting: [thunks], timer}
const pending = new Map(); // message id → {el, onOk}
const failing = new Set(); // elements whose last save failed or conflicts

const uid = () => crypto.randomUUID();
const state = (el) => states.get(el) || states.set(el, { inflight: false, waiting: [], timer: null }).get(el);
const statusOf = (el) => (el.matches("li.item") ? el : el.closest(".field, fieldset, li.item"))
  ?.querySelector(":scope > .field-status");

function setStatus(el, kind, detail = "") {
  const box = statusOf(el);
  if (box) {
    box.textContent = TEXTS[kind] + (detail ? `: ${detail}` : "");
    box.dataset.state = kind;
  }
}

function setGlobal(kind, detail = "") {
  const box = document.getElementById("sync-status");
  box.textContent = TEXTS[kind] + (detail ? `: ${detail}` : "");
  box.dataset.state = kind;
}

// ------------------------------------------------------------ values

function toLocal(iso) {
  if (!iso) return "";
  const moment = new Date(new Date(iso).getTime() + 7 * 3600 * 1000);
  return moment.toISOString().slice(0, 16);
}

function readField(el) {
  const type = el.dataset.type;
  if (type === "radio") return el.querySelector("input:checked")?.value ?? null;
  if (type === "number") return el.value === "" ? null : Number(el.value);
  if (type === "datetime") return el.value ? `${el.value}:00+07:00` : null;
  return el.value;
}

function writeField(el, value) {
  const type = el.dataset.type;
  if (type === "radio") {
    el.querySelectorAll("input").forEach((input) => { input.checked = input.value === value; });
  } else if (type === "datetime") {
    el.value = toLocal(value);
  } else if (type !== "photo") {
    el.value = value ?? "";
  }
}

function readItem(li) {
  const data = {};
  li.querySelectorAll("[data-key]").forEach((input) => { data[input.dataset.key] = input.value; });
  return data;
}

function writeItem(li, data) {
  li.querySelectorAll("[data-key]").forEach((input) => { input.value = (data || {})[input.dataset.key] ?? ""; });
}

const shown = (value) => (value && typeof value === "object"
  ? Object.values(value).filter(Boolean).join(" · ") : (value ?? "—"));

// ------------------------------------------------------------ sending

const queue = new SyncQueue({
  url: root.dataset.changesUrl, headers: { "X-CSRFToken": CSRF },
  onResult, onState: (s) => {
    if (s === "retrying") setGlobal("offline");
    else if (s === "sending") setGlobal("saving");
    else if (!failing.size) setGlobal("saved");
  },
});

// Send one message for this element once its previous message is answered, so the
// base_version is always the one the server gave last.
function send(el, build, onOk, coalesce = false) {
  const st = state(el);
  if (st.inflight) {
    if (!(coalesce && st.waiting.some((w) => w.coalesce))) {
      const thunk = () => send(el, build, onOk, coalesce);
      thunk.coalesce = coalesce;
      st.waiting.push(thunk);
    }
    return;
  }
  const message = build();
  if (!message) return;
  st.inflight = true;
  pending.set(message.id, { el, onOk });
  setStatus(el, "saving");
  queue.enqueue(message);
}

function onResult(message, status, body) {
  const { el, onOk } = pending.get(message.id) || {};
  pending.delete(message.id);
  if (!el) return;
  const st = state(el);
  st.inflight = false;
  if (status === 200 && body.ok !== false) {
    if (body.version !== undefined) el.dataset.version = body.version;
    failing.delete(el);
    setStatus(el, "saved");
    updateFigures(body);
    onOk?.(body);
  } else if (status === 409 && body.conflict) {
    failing.add(el);
    setStatus(el, "conflict");
    setGlobal("conflict");
    showConflict(el, body);
  } else {
    failing.add(el);
    st.sent = undefined;
    setStatus(el, "error", body.error || status);
    setGlobal("error", body.error || status);
  }
  const next = st.waiting.shift();
  if (next) next();
}

// The value last sent for an element; an unchanged value (blur after the debounce) is not resent.
function changed(el, value) {
  const text = JSON.stringify(value);
  if (state(el).sent === text) return false;
  state(el).sent = text;
  return true;
}

function saveField(el) {
  send(el, () => {
    const value = readField(el);
    if (!changed(el, value)) return null;
    return { id: uid(), target: el.dataset.field, op: "set", value, base_version: Number(el.dataset.version) };
  }, null, true);
}

function saveItem(li) {
  const kind = li.closest("ol.items").dataset.kind;
  send(li, () => {
    if (!li.isConnected || !changed(li, readItem(li))) return null;
    if (li.dataset.added === "0") {
      const position = positionOf(li);
      li.dataset.position = position;
      return { id: uid(), target: kind, op: "add", item: li.dataset.item, value: readItem(li), position };
    }
    return { id: uid(), target: kind, op: "set", item: li.dataset.item, value: readItem(li),
             base_version: Number(li.dataset.version) };
  }, () => { li.dataset.added = "1"; }, true);
}

// ------------------------------------------------------------ conflicts

function showConflict(el, body) {
  const holder = el.matches("li.item") ? el : el.closest(".field, fieldset") || el;
  holder.querySelector(".conflict")?.remove();
  const box = document.getElementById("conflict-template").content.firstElementChild.cloneNode(true);
  box.querySelector('[data-slot="yours"]').textContent = shown(body.your_value);
  box.querySelector('[data-slot="server"]').textContent = shown(body.server_value);
  box.addEventListener("click", (event) => {
    const choice = event.target.closest("[data-choice]")?.dataset.choice;
    if (!choice) return;
    el.dataset.version = body.server_version;
    box.remove();
    failing.delete(el);
    state(el).sent = undefined;
    if (choice === "mine") {
      el.matches("li.item") ? saveItem(el) : saveField(el);
    } else {
      el.matches("li.item") ? writeItem(el, body.server_value) : writeField(el, body.server_value);
      setStatus(el, "saved");
      if (!failing.size) setGlobal("saved");
    }
  });
  holder.append(box);
}

// ------------------------------------------------------------ figures

function formatNumber(value, decimals, unit) {
  if (value === null || value === undefined) return "—";
  const text = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: decimals,
                                                minimumFractionDigits: decimals }).format(value);
  return unit === "%" ? `${text}%` : text;
}

function updateFigures(body) {
  if (!body.computed) return;
  for (const [key, value] of Object.entries(body.computed)) {
    const out = root.querySelector(`[data-computed="${key}"]`);
    if (out) out.textContent = formatNumber(value, Number(out.dataset.decimals), out.dataset.unit);
  }
  const box = root.querySelector("[data-warnings]");
  const list = box.querySelector("ul");
  list.replaceChildren(...(body.warnings || []).map((text) => {
    const li = document.createElement("li");
    li.textContent = text;
    return li;
  }));
  box.hidden = !(body.warnings || []).length;
}

// ------------------------------------------------------------ list items

function positionOf(li) {
  const prev = li.previousElementSibling;
  const next = li.nextElementSibling;
  const a = prev ? Number(prev.dataset.position) : null;
  const b = next && next.dataset.added !== "0" ? Number(next.dataset.position) : null;
  if (a !== null && b !== null) return (a + b) / 2;
  if (a !== null) return a + 1;
  if (b !== null) return b - 1;
  return 1;
}

function addItem(kind) {
  const template = root.querySelector(`template[data-template="${kind}"]`);
  const li = template.content.firstElementChild.cloneNode(true);
  li.dataset.item = uid();
  li.dataset.added = "0";
  root.querySelector(`ol.items[data-kind="${kind}"]`).append(li);
  li.querySelector("input, textarea, select")?.focus();
  return li;
}

function moveItem(li, direction) {
  const other = direction === "up" ? li.previousElementSibling : li.nextElementSibling;
  if (!other) return;
  direction === "up" ? other.before(li) : other.after(li);
  if (li.dataset.added === "0") return;
  const kind = li.closest("ol.items").dataset.kind;
  send(li, () => {
    const position = positionOf(li);
    li.dataset.position = position;
    return { id: uid(), target: kind, op: "move", item: li.dataset.item, position };
  });
}

function deleteItem(li) {
  if (!window.confirm(TEXTS.confirm_delete)) return;
  if (li.dataset.added === "0" && !state(li).inflight) {
    li.remove();
    return;
  }
  const kind = li.closest("ol.items").dataset.kind;
  li.hidden = true;
  send(li, () => ({ id: uid(), target: kind, op: "delete", item: li.dataset.item,
                    base_version: Number(li.dataset.version) }), () => li.remove());
}

// ------------------------------------------------------------ photos

async function upload(fields, statusEl) {
  statusEl.textContent = TEXTS.uploading;
  const form = new FormData();
  Object.entries(fields).forEach(([key, value]) => form.append(key, value));
  for (let attempt = 0; attempt < 4; attempt += 1) {
    try {
      const response = await fetch(root.dataset.photosUrl, {
        method: "POST", body: form, credentials: "same-origin",
        headers: { "X-CSRFToken": CSRF, Accept: "application/json" } });
      if (response.status !== 503) {
        const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
        statusEl.textContent = response.ok ? TEXTS.saved : `${TEXTS.error}: ${body.error}`;
        return response.ok ? body : null;
      }
    } catch (error) { /* network: the item uid makes a resend safe */ }
    await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt));
  }
  statusEl.textContent = `${TEXTS.error}: ${TEXTS.offline}`;
  return null;
}

async function uploadPhoto() {
  const file = document.getElementById("photo-file");
  const status = document.getElementById("photo-status");
  if (!file.files.length) { status.textContent = TEXTS.no_file; return; }
  const caption = document.getElementById("photo-caption");
  const credit = document.getElementById("photo-credit");
  const item = uid();
  const body = await upload({ file: file.files[0], caption: caption.value, credit: credit.value, item }, status);
  if (!body) return;
  const li = addItem("photo");
  Object.assign(li.dataset, { item: body.item, added: "1", version: body.version });
  writeItem(li, body.value);
  const img = li.querySelector("img.thumb");
  img.src = body.url;
  img.hidden = false;
  file.value = caption.value = credit.value = "";
}

async function uploadChecklistPhoto(input) {
  const holder = input.closest("[data-field]");
  const status = holder.querySelector(".field-status");
  const body = await upload({ file: input.files[0], item: uid(), checklist_item: input.dataset.checklistPhoto }, status);
  if (!body || !body.field) return;
  holder.dataset.version = body.field.version;
  const img = holder.querySelector("img.thumb");
  img.src = body.url;
  img.hidden = false;
}

// ------------------------------------------------------------ wiring

function saveTarget(target) {
  if (target.type === "file" || target.closest(".photo-new")) return null;
  return target.closest("li.item") || target.closest("[data-field]");
}

function save(el) {
  clearTimeout(state(el).timer);
  state(el).timer = null;
  el.matches("li.item") ? saveItem(el) : saveField(el);
}

function wire() {
  root.addEventListener("input", (event) => {
    const el = saveTarget(event.target);
    if (!el) return;
    const st = state(el);
    clearTimeout(st.timer);
    st.timer = setTimeout(() => save(el), DEBOUNCE_MS);
  });
  root.addEventListener("change", (event) => {
    if (event.target.matches("input[data-checklist-photo]")) { uploadChecklistPhoto(event.target); return; }
    const el = saveTarget(event.target);
    if (el) save(el);
  });
  root.addEventListener("focusout", (event) => {
    const el = saveTarget(event.target);
    if (el && state(el).timer) save(el);
  });
  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (button?.dataset.action === "add") addItem(button.dataset.kind);
    else if (button?.dataset.action === "up" || button?.dataset.action === "down") {
      moveItem(button.closest("li.item"), button.dataset.action);
    } else if (button?.dataset.action === "delete") deleteItem(button.closest("li.item"));
    else if (event.target.closest("#photo-upload")) uploadPhoto();
  });
}

if (!root.hasAttribute("data-readonly")) wire();
