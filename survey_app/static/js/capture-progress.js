// Checklist progress on the capture page (issue 16, item 8): required items answered per
// section and overall ("12/19"), the unanswered ones marked in words, a "next unanswered"
// control and a tick on each section's chip. Counted in the browser from the form as the
// page carries it (.checklist-section, .check-item[data-required], the #skip-logic
// conditions), so it works offline, by the server's rule (FormSpec.progress, which
// finalize asks about): an item is counted when required and asked (skip logic), and
// answered unless blank. The panel is templates/visits/_checklist_progress.html.
import { readField } from "./capture-fields.js";
import { relevance } from "./xpath.js";

export const isBlank = (value) => value === null || value === undefined
  || (typeof value === "string" && !value.trim());

// sections: [{key, items: [{key, required}]}] in form order; conditions: the #skip-logic
// rows, or null; values: item key → answer. {answered, required, missing (keys in form
// order), sections: {key: {answered, required, missing}}}, as FormSpec.progress.
export function countProgress(sections, conditions, values) {
  const asked = conditions ? relevance(conditions, values) : {};
  const total = { answered: 0, required: 0, missing: [], sections: {} };
  for (const section of sections) {
    const keys = section.items.filter((item) => item.required && asked[item.key] !== false
                                                && asked[`section:${section.key}`] !== false).map((item) => item.key);
    const missing = keys.filter((key) => isBlank(values[key]));
    total.sections[section.key] = { answered: keys.length - missing.length, required: keys.length, missing };
    total.answered += keys.length - missing.length;
    total.required += keys.length;
    total.missing.push(...missing);
  }
  return total;
}

// A checklist photo counts as answered once its thumbnail shows (taken, kept or sent).
function answerOf(el) {
  if (el.dataset.type !== "photo") return readField(el);
  const img = el.querySelector("img.thumb");
  return img && !img.hidden && img.getAttribute("src") ? "photo" : null;
}

function outline(root) {
  return [...root.querySelectorAll(".checklist-section")].map((section) => ({
    key: section.dataset.relevanceKey.slice("section:".length),
    items: [...section.querySelectorAll(".check-item")].map((item) => ({
      key: item.dataset.relevanceKey, required: item.dataset.required === "1" })),
  }));
}

function pageValues(root) {
  const values = {};
  root.querySelectorAll('[data-field^="checklist."][data-field$=".value"]').forEach((el) => {
    values[el.dataset.field.split(".")[1]] = answerOf(el);
  });
  return values;
}

const countText = (part) => `${part.answered}/${part.required}`;

// texts: the panel's data-* ({unanswered, complete, left: "còn {n} mục"}).
function stateText(texts, part) {
  return part.answered === part.required ? texts.complete : texts.left.replace("{n}", String(part.required - part.answered));
}

function markItem(item, texts, unanswered) {
  let note = item.querySelector(":scope > .unanswered-note");
  if (unanswered && !note) {
    note = item.ownerDocument.createElement("p");
    note.className = "unanswered-note";
    note.textContent = texts.unanswered;
    item.querySelector(".question").after(note);
  }
  if (note) note.hidden = !unanswered;
  if (unanswered) item.dataset.unanswered = "1"; else delete item.dataset.unanswered;
}

function showChip(chip, texts, part, asked) {
  chip.hidden = !asked;
  chip.dataset.complete = part.answered === part.required ? "1" : "0";
  chip.querySelector('[data-slot="count"]').textContent = part.required ? countText(part) : "";
  chip.querySelector('[data-slot="state"]').textContent = `, ${stateText(texts, part)}`;
}

// The first input of an item a member answers with (a radio, a box, the photo button).
const inputOf = (item) => item.querySelector("input:not([type=hidden]):not([disabled]), textarea:not([disabled])")
  || item.querySelector("input, textarea, button");

export function start({ root }) {
  const panel = root.querySelector("#checklist-progress");
  if (!panel) return { update() {} };
  const texts = panel.dataset;
  const doc = root.ownerDocument;
  const conditionsScript = doc.getElementById("skip-logic");
  const conditions = conditionsScript ? JSON.parse(conditionsScript.textContent) : null;
  const sections = outline(root);
  const itemOf = (key) => doc.getElementById(`item-${key}`);
  const next = panel.querySelector("[data-progress-next]");
  const done = panel.querySelector("[data-progress-done]");
  const menuChip = doc.querySelector('.section-menu [data-progress-chip="checklist"]');
  let missing = [];
  let current = null; // the item "next" went to last

  function update() {
    const values = pageValues(root);
    const progress = countProgress(sections, conditions, values);
    const asked = conditions ? relevance(conditions, values) : {};
    const gaps = new Set(progress.missing);
    sections.forEach((section) => {
      section.items.forEach((item) => item.required && markItem(itemOf(item.key), texts, gaps.has(item.key)));
      const chip = panel.querySelector(`[data-progress-chip="${CSS.escape(section.key)}"]`);
      if (chip) showChip(chip, texts, progress.sections[section.key], asked[`section:${section.key}`] !== false);
    });
    panel.querySelector('[data-progress="overall"]').textContent = countText(progress);
    if (menuChip) showChip(menuChip, texts, progress, true);
    missing = progress.missing;
    next.disabled = !missing.length;
    done.hidden = Boolean(missing.length);
    panel.hidden = false;
    root.dataset.progress = countText(progress); // for tests and the benchmark
    return progress;
  }

  // The next unanswered required item after the one being answered (or the one "next"
  // went to last), wrapping around to the first.
  function goNext() {
    if (!missing.length) return;
    const from = doc.activeElement?.closest?.(".check-item") || current;
    const items = missing.map(itemOf).filter(Boolean);
    const after = from ? items.find((item) => from !== item
      && from.compareDocumentPosition(item) & Node.DOCUMENT_POSITION_FOLLOWING) : null;
    current = after || items[0];
    current.scrollIntoView({ block: "center" });
    inputOf(current)?.focus({ preventScroll: true });
  }

  // Chips off to the right on a portrait tablet: data-more="1" fades that edge (as the section menu).
  const chips = panel.querySelector(".progress-chips");
  const cue = () => { chips.dataset.more = chips.scrollLeft + chips.clientWidth < chips.scrollWidth - 2 ? "1" : "0"; };
  chips.addEventListener("scroll", cue, { passive: true });
  window.addEventListener("resize", cue);

  next.addEventListener("click", goNext);
  root.addEventListener("input", update);
  root.addEventListener("change", update);
  root.addEventListener("load", (event) => event.target.matches?.("img.thumb") && update(), true);
  root.addEventListener("capture:values", update); // values written by a script (restore, others' changes)
  update();
  cue();
  return { update };
}
