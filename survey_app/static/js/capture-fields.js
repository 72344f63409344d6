// The capture page's inputs as values: read and write fields and list items, the
// per-field and page status, and the computed figures the server sends back.
export const root = document.getElementById("capture");
export const TEXTS = JSON.parse(document.getElementById("capture-texts").textContent);

export const statusOf = (el) => (el.matches("li.item") ? el : el.closest(".field, fieldset, li.item"))
  ?.querySelector(":scope > .field-status");

export function setStatus(el, kind, detail = "") {
  const box = statusOf(el);
  if (box) {
    box.textContent = TEXTS[kind] + (detail ? `: ${detail}` : "");
    box.dataset.state = kind;
  }
}

export function setGlobal(kind, detail = "") {
  const box = document.getElementById("sync-status");
  box.textContent = TEXTS[kind] + (detail ? `: ${detail}` : "");
  box.dataset.state = kind;
}

function toLocal(iso) {
  if (!iso) return "";
  const moment = new Date(new Date(iso).getTime() + 7 * 3600 * 1000);
  return moment.toISOString().slice(0, 16);
}

export function readField(el) {
  const type = el.dataset.type;
  if (type === "radio") return el.querySelector("input:checked")?.value ?? null;
  if (type === "number") return el.value === "" ? null : Number(el.value);
  if (type === "datetime") return el.value ? `${el.value}:00+07:00` : null;
  return el.value;
}

export function writeField(el, value) {
  const type = el.dataset.type;
  if (type === "radio") {
    el.querySelectorAll("input").forEach((input) => { input.checked = input.value === value; });
  } else if (type === "datetime") {
    el.value = toLocal(value);
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

function formatNumber(value, decimals, unit) {
  if (value === null || value === undefined) return "—";
  const text = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: decimals,
                                                minimumFractionDigits: decimals }).format(value);
  return unit === "%" ? `${text}%` : text;
}

export function updateFigures(body) {
  if (!body.computed) return;
  for (const [key, value] of Object.entries(body.computed)) {
    const out = root.querySelector(`[data-computed="${key}"]`);
    if (out) out.textContent = formatNumber(value, Number(out.dataset.decimals), out.dataset.unit);
  }
  const box = root.querySelector("[data-warnings]");
  box.querySelector("ul").replaceChildren(...(body.warnings || []).map((text) => {
    const li = document.createElement("li");
    li.textContent = text;
    return li;
  }));
  box.hidden = !(body.warnings || []).length;
}

// The element a message or a stored draft key belongs to.
export function elementFor(key) {
  const [kind, rest] = [key.slice(0, 2), key.slice(2)];
  if (kind === "f:") return root.querySelector(`[data-field="${CSS.escape(rest)}"]`);
  return root.querySelector(`li.item[data-item="${CSS.escape(rest)}"]`);
}
