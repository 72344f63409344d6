// The capture page: every input is written to the tablet's store (draft + outbox,
// see store.js and sync.js) before it is sent; on load the stored values are laid over
// the server's (or the cached) page; conflicts offer both values.
// start(config) runs one page: {root, visit, texts, readonly, queue, onResult} (app.js).
import * as store from "./store.js";
import { fieldsView, formatMoment, readField, readItem, shown, writeField, writeItem } from "./capture-fields.js";
import { addItem, kindOf, moveInPage, newItem, placeByPosition, positionOf, uid } from "./capture-items.js";
import { live } from "./capture-live.js";
import { photos } from "./capture-photos.js";
import { applySkipLogic as showRelevant } from "./skip-logic.js";
import { start as startProgress } from "./capture-progress.js";

const DEBOUNCE_MS = 700;

export function start({ root, visit = root.dataset.visit, texts, readonly, queue, onResult, locale = "vi" }) {
  const view = fieldsView(root, texts, locale);
  const { elementFor, setGlobal, setStatus, updateFigures } = view;
  const setError = (el, detail) => view.setError(el, detail);
  const { photoSent, restorePhotos, takeChecklistPhoto, takePhoto, wirePhotos } = photos({ view, visit, queue });
  const timers = new Map();
  const lastSent = new Map(); // element → JSON of the value last queued
  const failing = new Set();

  async function pageState() {
    if (failing.size) return;
    setGlobal((await queue.size()) ? "queued" : "saved");
  }

  async function queueChange(el, message, record = {}) {
    const key = store.elementKey(message);
    await store.remember(visit, key, { ...record, msg: message.id, synced: false, typed: false, error: undefined });
    // Read the version only now: an answer that came during the write above has raised it, and
    // once the outbox has emptied the queue no longer knows it (a conflict with ourselves).
    if ("base_version" in message) message.base_version = Number(el.dataset.version);
    const id = await queue.enqueue({ id: message.id, kind: "change", visit, message });
    if (id !== message.id) await store.remember(visit, key, { msg: id });
    failing.delete(el);
    setStatus(el, "queued");
    pageState();
  }

  function changed(el, value) {
    const text = JSON.stringify(value);
    if (lastSent.get(el) === text) return false;
    lastSent.set(el, text);
    return true;
  }

  // A figure that is no number is kept on the tablet, not sent, and shown as an error
  // beside its field until it is fixed.
  function refuseFigure(el, value) {
    failing.add(el);
    lastSent.delete(el);
    store.remember(visit, `f:${el.dataset.field}`, { value, typed: false, synced: false, error: texts.not_number });
    setError(el, texts.not_number);
  }

  function saveField(el) {
    const value = readField(el);
    if (el.dataset.type === "number" && typeof value === "string") return refuseFigure(el, value);
    if (!changed(el, value)) return undefined;
    return queueChange(el, { id: uid(), target: el.dataset.field, op: "set", value,
                             base_version: Number(el.dataset.version) }, { value });
  }

  function saveItem(li) {
    const value = readItem(li);
    if (!li.isConnected || !changed(li, value)) return undefined;
    const kind = kindOf(li);
    const record = { kind, data: value, position: Number(li.dataset.position) };
    if (li.dataset.added === "0") {
      li.dataset.added = "q";
      return queueChange(li, { id: uid(), target: kind, op: "add", item: li.dataset.item, value,
                               position: Number(li.dataset.position) }, record);
    }
    return queueChange(li, { id: uid(), target: kind, op: "set", item: li.dataset.item, value,
                             base_version: Number(li.dataset.version) }, record);
  }

  function moveItem(li, direction) {
    const position = moveInPage(li, direction);
    if (position === null || li.dataset.added === "0") return;
    queueChange(li, { id: uid(), target: kindOf(li), op: "move", item: li.dataset.item, position },
                { kind: kindOf(li), data: readItem(li), position });
  }

  async function deleteItem(li) {
    if (!window.confirm(texts.confirm_delete)) return;
    const item = li.dataset.item;
    if (li.dataset.added === "0" || (li.dataset.added === "q" && await queue.cancelItem(visit, item))) {
      li.remove();
      await store.forget(visit, `i:${item}`);
      pageState();
      return;
    }
    li.hidden = true;
    queueChange(li, { id: uid(), target: kindOf(li), op: "delete", item, base_version: Number(li.dataset.version) },
                { kind: kindOf(li), deleted: true });
  }

  // ------------------------------------------------------------ answers and conflicts

  const when = (iso) => formatMoment(iso, locale);

  function showConflict(el, body) {
    const holder = el.matches("li.item") ? el : el.closest(".field, fieldset") || el;
    holder.querySelector(".conflict")?.remove();
    const box = root.ownerDocument.getElementById("conflict-template").content.firstElementChild.cloneNode(true);
    box.querySelector('[data-slot="yours"]').textContent = shown(body.your_value);
    box.querySelector('[data-slot="server"]').textContent = shown(body.server_value);
    if (body.server_changed_by || body.server_changed_at) { // who made the server's value, and when
      box.querySelector('[data-slot="changed"]').hidden = false;
      box.querySelector('[data-slot="who"]').textContent = body.server_changed_by || "—";
      box.querySelector('[data-slot="when"]').textContent = body.server_changed_at ? `, ${when(body.server_changed_at)}` : "";
    }
    box.addEventListener("click", async (event) => {
      const choice = event.target.closest("[data-choice]")?.dataset.choice;
      if (!choice) return;
      const key = el.matches("li.item") ? `i:${el.dataset.item}` : `f:${el.dataset.field}`;
      el.dataset.version = body.server_version;
      box.remove();
      failing.delete(el);
      lastSent.delete(el);
      if (choice === "server") { // shown at once; the store follows
        if (el.matches("li.item")) writeItem(el, body.server_value); else writeField(el, body.server_value);
        root.dispatchEvent(new Event("capture:values"));
      }
      await store.setConflict(visit, key, null);
      if (choice === "mine") { // the page may show the server's value (reloaded): put mine back first
        if (el.matches("li.item")) { writeItem(el, body.your_value); saveItem(el); } else {
          writeField(el, body.your_value);
          saveField(el);
        }
        return;
      }
      await store.forget(visit, key);
      setStatus(el, "saved");
      pageState();
    });
    holder.append(box);
    failing.add(el);
    setStatus(el, "conflict");
    setGlobal("conflict");
  }

  function answered(entry, status, body) {
    if (entry.visit !== visit) return;
    if (entry.kind === "photo") { photoSent(entry, status, body); pageState(); return; }
    const message = entry.message;
    const el = elementFor(store.elementKey(message));
    if (!el) return;
    if (status === 200 && body.ok !== false) {
      if (body.version !== undefined) el.dataset.version = Math.max(Number(el.dataset.version), body.version);
      if (message.op === "add") el.dataset.added = "1";
      if (message.op === "delete") el.remove();
      failing.delete(el);
      setStatus(el, "saved");
      updateFigures(body);
      pageState();
    } else if (status === 409 && body.conflict) {
      showConflict(el, body);
    } else {
      failing.add(el);
      lastSent.delete(el);
      setError(el, body.error || status);
    }
  }

  // ------------------------------------------------------------ restoring what the tablet kept

  async function restore() {
    const draft = (await store.get(`draft:${visit}`)) || {};
    const waiting = new Set(((await store.get("outbox")) || []).map((e) => e.id));
    const conflicts = (await store.get(`conflicts:${visit}`)) || {};
    const typed = []; // typed, then the page closed before the change was queued
    for (const [key, record] of Object.entries(draft)) {
      if (key.startsWith("p:")) { await restorePhotos(key, record); continue; }
      let el = elementFor(key);
      const pending = record.typed || waiting.has(record.msg) || record.error || conflicts[key];
      const serverNewer = el && record.version !== undefined && Number(el.dataset.version) >= record.version;
      if (!pending && !(record.synced && record.version !== undefined && !serverNewer)) {
        await store.forget(visit, key); // the page already shows it
        continue;
      }
      if (!el && key.startsWith("i:")) {
        if (record.deleted || !record.kind) continue;
        el = newItem(root, record.kind, key.slice(2));
        el.dataset.added = record.version ? "1" : (record.msg ? "q" : "0");
        el.dataset.position = record.position ?? positionOf(el);
      }
      if (!el) continue;
      if (record.version !== undefined) el.dataset.version = Math.max(Number(el.dataset.version), record.version);
      if (record.deleted) { el.hidden = true; continue; }
      if (key.startsWith("i:")) {
        writeItem(el, record.data);
        if (record.position !== undefined && !Number.isNaN(Number(record.position))) {
          el.dataset.position = record.position;
          placeByPosition(el);
        }
      } else writeField(el, record.value);
      lastSent.set(el, JSON.stringify(key.startsWith("i:") ? record.data : record.value));
      if (record.typed) typed.push(el);
      else if (waiting.has(record.msg)) setStatus(el, "queued");
      else if (record.error) { failing.add(el); setError(el, record.error); }
    }
    Object.entries(conflicts).forEach(([key, body]) => { const el = elementFor(key); if (el) showConflict(el, body); });
    typed.forEach((el) => { lastSent.delete(el); save(el); });
    root.dataset.restored = "1";
    pageState();
  }

  const applySkipLogic = () => showRelevant(root);

  // A figure the unit reported: once a member types another value, both stay in view
  // (reported by the unit / verified on site).
  function showVerified(target) {
    const key = target.dataset?.field?.startsWith("indicators.") && target.dataset.field.slice(11);
    const sources = key ? root.querySelector(`[data-sources="${CSS.escape(key)}"]`) : null;
    const badge = sources?.querySelector("[data-verified]");
    if (!badge) return;
    const value = readField(target);
    const reported = sources.dataset.reported === "" ? null : Number(sources.dataset.reported);
    badge.querySelector('[data-slot="verified"]').textContent = value ?? "";
    badge.hidden = value === null || value === reported;
  }

  // ------------------------------------------------------------ wiring

  function saveTarget(target) {
    if (target.type === "file" || target.closest(".photo-new, [data-pending-photo='1']")) return null;
    return target.closest("li.item") || target.closest("[data-field]");
  }

  // Each keystroke is kept at once; the message follows after the debounce.
  function keepTyped(el) {
    const item = el.matches("li.item");
    if (item && el.dataset.pendingPhoto === "1") return;
    const key = item ? `i:${el.dataset.item}` : `f:${el.dataset.field}`;
    store.remember(visit, key, item
      ? { kind: kindOf(el), data: readItem(el), position: Number(el.dataset.position), typed: true, synced: false }
      : { value: readField(el), typed: true, synced: false });
  }

  function save(el) {
    clearTimeout(timers.get(el));
    timers.delete(el);
    return el.matches("li.item") ? saveItem(el) : saveField(el);
  }

  // Queue now what is still waiting in a debounce timer (before the page is left).
  const flush = () => Promise.all([...timers.keys()].map(save));

  function wire() {
    root.addEventListener("input", applySkipLogic);
    root.addEventListener("input", (event) => showVerified(event.target));
    root.addEventListener("change", applySkipLogic);
    root.addEventListener("input", (event) => {
      const el = saveTarget(event.target);
      if (!el) return;
      keepTyped(el);
      clearTimeout(timers.get(el));
      timers.set(el, setTimeout(() => save(el), DEBOUNCE_MS));
    });
    root.addEventListener("change", (event) => {
      if (event.target.matches("input[data-checklist-photo]")) { takeChecklistPhoto(event.target); return; }
      const el = saveTarget(event.target);
      if (el) save(el);
    });
    root.addEventListener("focusout", (event) => {
      const el = saveTarget(event.target);
      if (el && timers.has(el)) save(el);
    });
    root.addEventListener("click", (event) => {
      const button = event.target.closest("[data-action]");
      const action = button?.dataset.action;
      if (action === "add") addItem(root, button.dataset.kind);
      else if (action === "up" || action === "down") moveItem(button.closest("li.item"), action);
      else if (action === "delete") deleteItem(button.closest("li.item"));
      else if (event.target.closest("#photo-upload")) takePhoto();
    });
    wirePhotos();
    // Leaving or hiding the page: what is still in a debounce timer is queued now.
    window.addEventListener("pagehide", () => [...timers.keys()].forEach(save));
    document.addEventListener("visibilitychange", () => document.hidden && [...timers.keys()].forEach(save));
  }

  // The section chips scroll sideways on a portrait tablet: data-more="1" while some are
  // off to the right (capture.css fades that edge).
  function chipsCue() {
    const menu = root.querySelector(".section-menu");
    if (!menu) return;
    const update = () => { menu.dataset.more = menu.scrollLeft + menu.clientWidth < menu.scrollWidth - 2 ? "1" : "0"; };
    menu.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    update();
  }

  // The section chips are links: Space follows one as Enter does (a keyboard alone).
  root.querySelector(".section-menu")?.addEventListener("keydown", (event) => {
    if (event.key !== " " || !event.target.matches('a[href^="#"]')) return;
    event.preventDefault();
    event.target.click();
  });
  onResult(answered);
  chipsCue();
  applySkipLogic();
  const progress = startProgress({ root }); // checklist progress: counts, ticks, "next unanswered"
  if (readonly === undefined || readonly === false) { // data-readonly: a page to look at
    wire();
    // Then the others' changes and presence (capture-live.js), over what the tablet kept.
    const editing = (el) => timers.has(el) || failing.has(el) || el.contains(root.ownerDocument.activeElement);
    const accept = (el, value) => { lastSent.set(el, JSON.stringify(value)); applySkipLogic(); showVerified(el); };
    restore().then(() => { applySkipLogic(); progress.update(); }).then(() => root.dataset.liveSince !== undefined
      && live({ root, locale, view, queue, showConflict, editing, accept }));
  }
  return { flush, progress: progress.update };
}
