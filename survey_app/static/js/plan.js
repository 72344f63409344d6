// Planning a visit (the plan page, /visits/new), also without network. Online, the form
// is posted as usual and the server's capture page opens. Offline, or when the post
// cannot reach the server, the visit is made on the tablet: a client uuid, the plan kept
// in the local store ("locals"), a `create` entry queued for /visits/from-device before
// any change of that visit, and its capture page opened at /visits/local/<uuid>/capture
// from the form's blank capture page, which this page keeps in the cache while online.
import * as store from "./store.js";
import { queue } from "./app.js";

const PAGES = "pages";
const planForm = () => document.getElementById("plan-form"); // replaced when the server shows errors
const blankUrl = (formId) => `${location.origin}/visits/blank/${encodeURIComponent(formId)}/capture`;
const localUrl = (uuid) => `/visits/local/${uuid}/capture`;

// The blank capture page of every form offered, for visits planned later without network.
async function keepBlankPages() {
  if (!navigator.onLine || !window.caches) return;
  const cache = await caches.open(PAGES);
  const formIds = [...planForm().elements.form.options].map((option) => option.value).filter(Boolean);
  await Promise.all(formIds.map(async (formId) => {
    try {
      const response = await fetch(blankUrl(formId), { credentials: "same-origin", redirect: "manual" });
      if (response.ok) await cache.put(blankUrl(formId), response);
    } catch (error) { /* the network went away: the copy kept earlier stays */ }
  }));
}

// Post to the server; false when it could not be reached.
async function postOnline() {
  let response;
  try {
    response = await fetch(location.pathname, {
      method: "POST", body: new FormData(planForm()), credentials: "same-origin",
      headers: { Accept: "application/json, text/html;q=0.9" } });
  } catch (error) {
    return false;
  }
  if (response.status >= 502) return false; // a proxy, not the app, answered
  if (response.ok && response.headers.get("Content-Type")?.includes("json")) {
    location.assign((await response.json()).url);
    return true;
  }
  // The server's page with the errors of the form: shown in place of this one's.
  const html = new DOMParser().parseFromString(await response.text(), "text/html");
  const main = html.querySelector("main.page");
  if (main) document.querySelector("main.page").replaceChildren(...main.childNodes);
  return true;
}

function clearErrors(form) {
  form.querySelectorAll(".error-text").forEach((p) => p.remove());
}

function showError(form, name, text) {
  const p = document.createElement("p");
  p.className = "error-text";
  p.textContent = text;
  form.elements[name].after(p);
}

// The plan's values, or null after showing what is missing.
function planValues(form) {
  clearErrors(form);
  const { delegation, unit, place, locality, started_at: started, form: formId } = form.elements;
  const required = [delegation, unit, started, formId].filter((input) => !input.value.trim());
  required.forEach((input) => showError(form, input.name, form.dataset.required));
  if (required.length) return null;
  return {
    delegation: Number(delegation.value), unit: unit.value.trim(), place: place.value.trim(),
    locality: locality.value.trim(), started_at: `${started.value.slice(0, 16)}:00+07:00`, form: formId.value,
    delegation_name: delegation.selectedOptions[0].textContent, form_title: formId.selectedOptions[0].textContent,
  };
}

async function planHere(form) {
  const values = planValues(form);
  if (!values) return;
  const cache = window.caches && await caches.open(PAGES);
  const blank = cache && await cache.match(blankUrl(values.form));
  if (!blank) { showError(form, "form", form.dataset.notKept); return; }
  const uuid = crypto.randomUUID();
  const { delegation_name: _name, form_title: _title, ...body } = values;
  await store.update("locals", (all = {}) => ({ ...all, [uuid]: { ...values, uuid, created_at: new Date().toISOString() } }));
  await cache.put(location.origin + localUrl(uuid), blank);
  await queue.enqueue({ id: uuid, kind: "create", visit: uuid, body: { uuid, ...body } });
  location.assign(localUrl(uuid));
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (form.id !== "plan-form") return;
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    if (!(navigator.onLine && await postOnline())) await planHere(form);
  } finally {
    button.disabled = false;
  }
});

function showNetwork() {
  const note = document.getElementById("plan-offline-note");
  if (note) note.hidden = navigator.onLine;
}

window.addEventListener("online", showNetwork);
window.addEventListener("offline", showNetwork);
showNetwork();
if (window.surveyOffline) window.surveyOffline.blankPages = keepBlankPages(); // awaited by tests
else keepBlankPages();
