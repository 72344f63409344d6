// The capture page's inputs as values: read and write fields and list items (by their
// data-type, which the checklist item types' registry gives the template), the
// per-field and page status, and the computed figures the server sends back.
// Nothing here looks at the page until capture.js hands it its root (fieldsView).

const statusOf = (el) => (el.matches("li.item") ? el : el.closest(".field, fieldset, li.item"))
  ?.querySelector(":scope > .field-status");

const statusText = (texts, kind, detail) => (texts[kind] ?? kind) + (detail ? `: ${detail}` : "");

// A moment (ISO, any offset) as the value of a `datetime-local` input in Vietnam time.
export function toLocal(iso) {
  if (!iso) return "";
  const moment = new Date(new Date(iso).getTime() + 7 * 3600 * 1000);
  return moment.toISOString().slice(0, 16);
}

// A figure as typed, whatever the browser's locale: `88,2` and `88.2` are 88.2, `1.234,5`
// is 1234.5; text that is no number stays text (kept, sent, and refused beside its field).
export function typedNumber(raw) {
  const text = String(raw).replace(/\s+/g, "");
  if (text === "") return null;
  const plain = /^[+-]?\d{1,3}(\.\d{3})+,\d+$/.test(text) ? text.replace(/\./g, "") : text;
  return /^[+-]?\d+([.,]\d+)?$/.test(plain) ? Number(plain.replace(",", ".")) : raw;
}

// A number as a Vietnamese types it back into its input (decimal comma).
export const numberText = (value) => (typeof value === "number" ? String(value).replace(".", ",") : (value ?? ""));

// The value an input's raw text means, by its data-type: radio (the checked value or
// null), number (null when empty, decimal comma or point), datetime (Vietnam time,
// +07:00), anything else text.
export function fieldValue(type, raw) {
  if (type === "radio") return raw ?? null;
  if (type === "number") return raw == null ? null : typedNumber(raw);
  if (type === "datetime") return raw ? `${raw}:00+07:00` : null;
  return raw;
}

export function readField(el) {
  const type = el.dataset.type;
  return fieldValue(type, type === "radio" ? el.querySelector("input:checked")?.value : el.value);
}

export function writeField(el, value) {
  const type = el.dataset.type;
  if (type === "radio") {
    el.querySelectorAll("input").forEach((input) => { input.checked = input.value === value; });
  } else if (type === "datetime") {
    el.value = toLocal(value);
  } else if (type === "number") {
    el.value = numberText(value);
  } else if (type !== "photo") {
    el.value = value ?? "";
  }
}

export function readItem(li) {
  const data = {};
  li.querySelectorAll("[data-key]").forEach((input) => { data[input.dataset.key] = input.value; });
  return data;
}

export function writeItem(li, data) {
  li.querySelectorAll("[data-key]").forEach((input) => { input.value = (data || {})[input.dataset.key] ?? ""; });
}

export const shown = (value) => (value && typeof value === "object"
  ? Object.values(value).filter(Boolean).join(" · ") : (value ?? "—"));

// The page's language (start(config).locale: "vi" or "en", the page's <html lang>) as
// Intl names it: 1.234,5 and 13/10/2025 in Vietnamese, 1,234.5 and 13/10/2025 in English.
export const intlLocale = (locale) => (locale === "en" ? "en-GB" : "vi-VN");

export function formatNumber(value, decimals, unit, locale = "vi") {
  if (value === null || value === undefined) return "—";
  const text = new Intl.NumberFormat(intlLocale(locale), { maximumFractionDigits: decimals,
                                                           minimumFractionDigits: decimals }).format(value);
  return unit === "%" ? `${text}%` : text;
}

// A moment from the server (UTC, ISO) as the delegation reads it: Vietnam time.
export function formatMoment(iso, locale = "vi") {
  // Written out, not toLocaleString: vi-VN puts the time first ("15:26 29/11/2026"), and
  // every page writes the date first: `29/11/2026 15:26` (English `2026-11-29 15:26`).
  const moment = new Date(iso);
  if (!iso || Number.isNaN(moment.getTime())) return iso ?? "";
  const [date, time] = new Date(moment.getTime() + 7 * 3600 * 1000).toISOString().slice(0, 16).split("T");
  const [year, month, day] = date.split("-");
  return locale === "en" ? `${date} ${time}` : `${day}/${month}/${year} ${time}`;
}

function updateFigures(root, body, locale) {
  if (!body.computed) return;
  for (const [key, value] of Object.entries(body.computed)) {
    const out = root.querySelector(`[data-computed="${key}"]`);
    if (out) out.textContent = formatNumber(value, Number(out.dataset.decimals), out.dataset.unit, locale);
  }
  const box = root.querySelector("[data-warnings]");
  box.querySelector("ul").replaceChildren(...(body.warnings || []).map((text) => {
    const li = document.createElement("li");
    li.textContent = text;
    return li;
  }));
  box.hidden = !(body.warnings || []).length;
}

// What the user calls a field: its checklist question, else its label (without the "*").
export function labelOf(el) {
  const question = el.closest(".check-item")?.querySelector(".question");
  const label = el.id ? el.ownerDocument.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
  return ((question || label)?.textContent || "").replace(/\*\s*$/, "").trim();
}

// The element a message or a stored draft key belongs to.
function elementFor(root, key) {
  const [kind, rest] = [key.slice(0, 2), key.slice(2)];
  if (kind === "f:") return root.querySelector(`[data-field="${CSS.escape(rest)}"]`);
  return root.querySelector(`li.item[data-item="${CSS.escape(rest)}"]`);
}

// The page-bound helpers of one capture page: its root element and its texts
// ({saved, queued, error, …} from the page's JSON script) and its language.
export function fieldsView(root, texts, locale = "vi") {
  return {
    root,
    texts,
    setStatus(el, kind, detail = "") {
      const box = statusOf(el);
      if (box) {
        box.textContent = statusText(texts, kind, detail);
        box.dataset.state = kind;
      }
    },
    // An error beside its field, and in the page's status naming that field.
    setError(el, detail) {
      this.setStatus(el, "error", detail);
      const name = labelOf(el);
      this.setGlobal("error", name ? `${name}: ${detail}` : detail);
    },
    setGlobal(kind, detail = "") {
      const box = root.querySelector("#sync-status");
      box.textContent = statusText(texts, kind, detail);
      box.dataset.state = kind;
    },
    updateFigures: (body) => updateFigures(root, body, locale),
    elementFor: (key) => elementFor(root, key),
  };
}
