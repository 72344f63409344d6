// The unit's own report page (the host writes it): every change is kept on this
// device first (localStorage, with the revision it was based on), then sent after a
// short pause as the whole report (If-Match: the revision last saved, so a stale edit
// is refused, not silently overwritten); a cut network keeps it and sends it once the
// network is back. The server's answer brings the computed figures and the warnings
// of the form's consistency rules (warned, not blocked). start(config) runs one page.
import { formatMoment, formatNumber } from "./capture-fields.js";

const DEBOUNCE_MS = 600;
const RETRY_MS = 5000;

// The report as the page's inputs hold it (the API's body).
export function collect(root) {
  const value = (selector) => root.querySelector(selector)?.value ?? "";
  const indicators = {};
  root.querySelectorAll("[data-indicator]").forEach((input) => {
    if (input.value !== "") indicators[input.dataset.indicator] = Number(input.value);
  });
  const entries = (kind) => [...root.querySelectorAll(`[data-entries="${kind}"] > li`)]
    .map((li) => Object.fromEntries([...li.querySelectorAll("[data-key]")].map((el) => [el.dataset.key, el.value])))
    .filter((entry) => (entry.text || "").trim() || (entry.addressee || "").trim());
  return {
    summary: value('[data-report="summary"]'),
    period: { from: value('[data-report="period.from"]') || null, to: value('[data-report="period.to"]') || null },
    indicators, difficulties: entries("difficulties"), proposals: entries("proposals"),
  };
}

function fill(root, report) {
  const set = (selector, value) => { const el = root.querySelector(selector); if (el) el.value = value ?? ""; };
  set('[data-report="summary"]', report.summary);
  set('[data-report="period.from"]', report.period?.from);
  set('[data-report="period.to"]', report.period?.to);
  root.querySelectorAll("[data-indicator]").forEach((input) => {
    input.value = report.indicators?.[input.dataset.indicator] ?? "";
  });
  for (const kind of ["difficulties", "proposals"]) {
    const list = root.querySelector(`[data-entries="${kind}"]`);
    list.replaceChildren();
    for (const entry of report[kind] || []) {
      const li = addEntry(root, kind);
      li.querySelectorAll("[data-key]").forEach((el) => { el.value = entry[el.dataset.key] ?? ""; });
    }
  }
}

function addEntry(root, kind) {
  const template = root.querySelector(`[data-entry-template="${kind}"]`);
  const li = template.content.firstElementChild.cloneNode(true);
  root.querySelector(`[data-entries="${kind}"]`).append(li);
  return li;
}

export function start({ root, visit, revision, saveUrl, uploadUrl, texts, readonly, locale = "vi" }) {
  if (readonly !== undefined && readonly !== false) return {};
  const key = `unit-report:${visit}`;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;
  const status = root.querySelector("#report-status");
  const errorBox = root.querySelector('[data-slot="error"]');
  let base = Number(revision);
  let timer = null;
  let sending = null;
  let again = false;

  const say = (kind, detail) => { status.textContent = (texts[kind] ?? kind) + (detail ? `: ${detail}` : ""); status.dataset.state = kind; };
  const keep = () => localStorage.setItem(key, JSON.stringify({ base, report: collect(root) }));

  function showAnswer(body) {
    for (const [name, value] of Object.entries(body.computed || {})) {
      const out = root.querySelector(`[data-computed="${name}"]`);
      if (out) out.textContent = formatNumber(value, Number(out.dataset.decimals), out.dataset.unit, locale);
    }
    const box = root.querySelector("[data-warnings]");
    box.querySelector("ul").replaceChildren(...(body.warnings || []).map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }));
    box.hidden = !(body.warnings || []).length;
    const submitted = root.querySelector('[data-slot="submitted"]');
    if (submitted && body.submitted_at) {
      submitted.textContent = `${texts.submitted} ${formatMoment(body.submitted_at, locale)}`;
    }
  }

  async function send() {
    if (sending) { again = true; return sending; }
    clearTimeout(timer);
    const report = collect(root);
    say("saving");
    sending = (async () => {
      try {
        const response = await fetch(saveUrl, {
          method: "POST", credentials: "same-origin", body: JSON.stringify(report),
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf,
                     "If-Match": `"${base}"` },
        });
        const body = await response.json().catch(() => ({}));
        if (response.ok) {
          base = Number((response.headers.get("ETag") || "").replaceAll('"', "")) || base + 1;
          errorBox.hidden = true;
          if (again) keep(); else localStorage.removeItem(key);
          showAnswer(body);
          say("saved");
        } else if (response.status === 409 && body.field === "revision") {
          say("stale");
          errorBox.textContent = texts.stale;
          errorBox.hidden = false;
        } else {
          say("error", body.error || response.status);
          errorBox.textContent = body.error || String(response.status);
          errorBox.hidden = false;
        }
      } catch (error) { // no network: kept on the device, sent when it comes back
        keep();
        say("offline");
        setTimeout(() => { if (localStorage.getItem(key)) send(); }, RETRY_MS);
      }
    })();
    await sending;
    sending = null;
    if (again) { again = false; return send(); }
    return undefined;
  }

  function changed() {
    keep();
    clearTimeout(timer);
    timer = setTimeout(send, DEBOUNCE_MS);
  }

  async function upload(input) {
    const file = input.files?.[0];
    if (!file) return;
    const shown = root.querySelector("#attachment-status");
    shown.textContent = texts.uploading;
    const data = new FormData();
    data.append("file", file);
    try {
      const response = await fetch(uploadUrl, { method: "POST", body: data, credentials: "same-origin",
                                                 headers: { Accept: "application/json", "X-CSRFToken": csrf } });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        const link = document.createElement("a");
        link.href = body.url;
        link.textContent = body.name;
        root.querySelector('[data-slot="attachment"]').replaceChildren(link);
        base = body.revision ?? base;
        shown.textContent = texts.uploaded;
      } else {
        shown.textContent = `${texts.error}: ${body.error || response.status}`;
      }
    } catch (error) {
      shown.textContent = texts.offline;
    }
    input.value = "";
  }

  root.addEventListener("input", (event) => { if (event.target.type !== "file") changed(); });
  root.addEventListener("change", (event) => {
    if (event.target.id === "attachment-file") upload(event.target);
  });
  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (button?.dataset.action === "add") addEntry(root, button.dataset.kind).querySelector("textarea")?.focus();
    else if (button?.dataset.action === "remove") { button.closest("li").remove(); changed(); }
  });
  window.addEventListener("online", () => { if (localStorage.getItem(key)) send(); });
  window.addEventListener("pagehide", () => { if (timer) keep(); });

  // What this device kept and did not send: laid over the page when the server's report
  // is still the one it was based on, then sent.
  const kept = JSON.parse(localStorage.getItem(key) || "null");
  if (kept && kept.base === base) { fill(root, kept.report); send(); } else localStorage.removeItem(key);
  root.dataset.ready = "1";
  return { flushReport: send };
}
