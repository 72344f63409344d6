// Team capture, live: while the page is visible and online it asks the server every
// few seconds for the other members' changes after its cursor, sending the section
// the user is in (POST /visits/<id>/capture/changes, with the session's CSRF header:
// a poll records presence). A change to a field the user is not editing is shown at
// once, with its version (the next save does not conflict) and a short note saying who
// changed what and when; a change to a field the user is editing keeps the user's text
// and opens the conflict box. Each section chip shows who else is in that section.
// A photo another member added, drew on or put back to its original appears in the photo
// list (its thumbnail from the change's `url`), with who added it.
// Started by capture.js with its page's helpers: nothing here runs on import.
import { formatMoment, labelOf, readField, readItem, writeField, writeItem } from "./capture-fields.js";
import { newItem, placeByPosition } from "./capture-items.js";

export const LIVE_URL = "/visits/{id}/capture/changes";
const POLL_MS = 4000;
const NOTE_MS = 30000;
const NOTES_KEPT = 3;

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");

// The section the user is in: the one holding the focus, else the one across the upper
// third of the screen.
export function currentSection(root) {
  const focused = root.ownerDocument.activeElement?.closest?.(".sections > section[id]");
  if (focused && root.contains(focused)) return focused.id;
  const line = window.innerHeight / 3;
  const across = [...root.querySelectorAll(".sections > section[id]")].find((section) => {
    const box = section.getBoundingClientRect();
    return box.top <= line && box.bottom > line;
  });
  return across?.id || "";
}

// config: {root, locale, view (capture-fields.js), queue (sync.js), showConflict(el, body),
// editing(el): the user is typing there or has a change not yet accepted, accept(el, value):
// the page now shows this value as the server's}.
export function live({ root, locale, view, queue, showConflict, editing, accept }) {
  const url = LIVE_URL.replace("{id}", encodeURIComponent(root.dataset.visit));
  const texts = JSON.parse(root.ownerDocument.getElementById(root.dataset.liveTexts).textContent);
  const notes = root.querySelector("[data-live-notes]");
  let since = Number(root.dataset.liveSince || 0);
  let timer = null;
  let running = false;
  let stopped = false;

  const time = (iso) => formatMoment(iso, locale).slice(-5);

  function note(label, change, template = texts.changed) {
    if (!notes) return;
    const line = root.ownerDocument.createElement("p");
    line.textContent = fill(template, { who: change.who || texts.someone, field: label, time: time(change.at) });
    notes.append(line);
    while (notes.children.length > NOTES_KEPT) notes.firstElementChild.remove();
    setTimeout(() => line.remove(), NOTE_MS);
  }

  const sectionName = (el) => el.closest("section")?.querySelector("h2")?.textContent.trim() || "";

  function conflict(el, change, yours) {
    if (el.dataset.liveSeen === String(change.version)) return; // shown once per version
    el.dataset.liveSeen = String(change.version);
    showConflict(el, { your_value: yours, server_value: change.value, server_version: change.version,
                       server_changed_by: change.who, server_changed_at: change.at });
  }

  function applyField(change) {
    const el = root.querySelector(`[data-field="${CSS.escape(change.field)}"]`);
    if (!el || change.version <= Number(el.dataset.version)) return;
    if (editing(el)) { conflict(el, change, readField(el)); return; }
    if (el.dataset.type !== "photo") writeField(el, change.value);
    else if (change.value) { // a photo another member took for this checklist item
      const img = el.querySelector("img.thumb");
      img.src = `/visits/${encodeURIComponent(root.dataset.visit)}/photos/${encodeURIComponent(change.value)}`;
      img.hidden = false;
    }
    el.dataset.version = change.version;
    accept(el, readField(el));
    note(labelOf(el) || sectionName(el), change);
  }

  // The photo's thumbnail shows the file the change names (a `v` per file).
  function showPhoto(li, change) {
    const img = li.querySelector("img.thumb");
    if (!img || !change.url) return false;
    if (img.getAttribute("src") === change.url) return false;
    img.src = change.url;
    img.hidden = false;
    if (change.shown !== change.value?.sha256) img.dataset.annotated = "1";
    else delete img.dataset.annotated;
    return true;
  }

  function applyPhoto(change) {
    if (change.value?.checklist_item) return; // shown by its checklist item's answer (applyField)
    let li = root.querySelector(`li.item[data-item="${CSS.escape(change.item)}"]`);
    const added = !li;
    if (added) {
      li = newItem(root, "photo", change.item);
      li.dataset.added = "1";
      const by = root.ownerDocument.createElement("small");
      by.className = "photo-by";
      by.dataset.slot = "photo-by";
      by.textContent = fill(texts.photo_by, { who: change.who || texts.someone });
      li.querySelector(".thumb-open")?.after(by);
    }
    const newer = added || change.version > Number(li.dataset.version);
    if (newer && editing(li)) conflict(li, change, readItem(li));
    else if (newer) {
      writeItem(li, change.value);
      li.dataset.version = change.version;
      li.dataset.position = change.position;
      placeByPosition(li);
      accept(li, readItem(li));
    }
    if (showPhoto(li, change) || newer) note(sectionName(li), change, added ? texts.photo_added : texts.changed);
  }

  function applyItem(change) {
    if (change.kind === "photo" && !change.deleted) { applyPhoto(change); return; }
    let li = root.querySelector(`li.item[data-item="${CSS.escape(change.item)}"]`);
    if (li && change.version <= Number(li.dataset.version)) return;
    if (li && editing(li)) {
      if (!change.deleted) conflict(li, change, readItem(li));
      return;
    }
    if (change.deleted) {
      if (!li) return;
      const label = sectionName(li);
      li.remove();
      note(label, change, texts.deleted);
      return;
    }
    if (!li) {
      li = newItem(root, change.kind, change.item);
      li.dataset.added = "1";
    }
    writeItem(li, change.value);
    li.dataset.version = change.version;
    li.dataset.position = change.position;
    placeByPosition(li);
    accept(li, readItem(li));
    note(sectionName(li), change);
  }

  function showPresence(presence) {
    for (const chip of root.querySelectorAll(".section-menu a[href^='#']")) {
      const here = presence.filter((p) => p.section === chip.getAttribute("href").slice(1));
      let tag = chip.querySelector("[data-presence]");
      if (!here.length) { tag?.remove(); continue; }
      if (!tag) {
        tag = root.ownerDocument.createElement("small");
        tag.className = "presence";
        tag.dataset.presence = "";
        chip.append(tag);
      }
      tag.textContent = `${texts.editing} ${here.map((p) => p.initials).join(", ")}`;
      tag.title = here.map((p) => p.name).join(", ");
      tag.dataset.names = tag.title;
    }
  }

  function apply(body) {
    const others = (body.changes || []).filter((change) => !change.mine); // own saves: the outbox's answers
    others.forEach((change) => (change.field ? applyField(change) : applyItem(change)));
    if (others.length) root.dispatchEvent(new Event("capture:values")); // progress counts again
    since = Math.max(since, Number(body.cursor) || 0);
    showPresence(body.presence || []);
    view.root.dataset.liveCursor = String(since);
  }

  const canPoll = () => !stopped && !root.ownerDocument.hidden && navigator.onLine;

  function schedule(ms = POLL_MS) {
    clearTimeout(timer);
    timer = canPoll() ? setTimeout(poll, ms) : null;
  }

  // One request; [status, body], or null when the network failed. Not the outbox's post:
  // a failed poll is retried at the next tick and says nothing to the page's indicator. A
  // page kept for hours holds an expired CSRF token: poll refreshes it and asks again.
  async function ask() {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": queue.csrf },
      body: JSON.stringify({ since, section: currentSection(root) }) }).catch(() => null);
    if (!response) return null;
    return [response.status, await response.json().catch(() => ({}))];
  }

  async function poll() {
    clearTimeout(timer);
    if (running || !canPoll()) return;
    running = true;
    let again = false;
    try {
      const answer = await ask();
      if (answer && (answer[0] === 403 || answer[0] === 404)) stopped = true;
      else if (answer && answer[0] === 200) { apply(answer[1]); again = answer[1].more === true; }
      else if (answer && answer[0] === 400 && answer[1].field === "csrf_token") again = await queue.refreshToken();
    } finally {
      running = false;
    }
    schedule(again ? 0 : POLL_MS);
  }

  root.ownerDocument.addEventListener("visibilitychange", () => (root.ownerDocument.hidden ? schedule() : poll()));
  window.addEventListener("online", () => poll());
  window.addEventListener("offline", () => schedule());
  poll();
  return { poll };
}
