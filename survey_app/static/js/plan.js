// Planning a visit (the plan page, /visits/new), also without network. Online, the form
// is posted as usual and the server's capture page opens. Offline, or when the post
// cannot reach the server, the visit is made on the tablet: a client uuid, the plan kept
// in the local store ("locals"), a `create` entry queued for /visits/from-device before
// any change of that visit, and its capture page opened at /visits/local/<uuid>/capture
// from the form's blank capture page, which this page keeps in the cache while online.
// start(config): {root (#plan: its content is replaced when the server shows errors),
// queue}; the form's texts are its data-* attributes.
import "./constants.js";
import * as store from "./store.js";

const { PAGES_CACHE: PAGES } = globalThis.SURVEY_SHELL;
const blankUrl = (formId) => `${location.origin}/visits/blank/${encodeURIComponent(formId)}/capture`;
const localUrl = (uuid) => `/visits/local/${uuid}/capture`;

// The plan as the server's /visits/from-device takes it, and as the tablet keeps it
// (with the names shown): `started` is the datetime-local value, Vietnam time.
export function planBody({ delegation, delegationName, unit, place, locality, started, formId, formTitle }) {
  const values = {
    delegation: Number(delegation), unit: unit.trim(), place: place.trim(), locality: locality.trim(),
    started_at: `${started.slice(0, 16)}:00+07:00`, form: formId,
  };
  return { body: values, kept: { ...values, delegation_name: delegationName, form_title: formTitle } };
}

export function start({ root, queue }) {
  const planForm = () => root.querySelector("#plan-form"); // replaced when the server shows errors

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
    const shown = html.getElementById(root.id);
    if (shown) root.replaceChildren(...shown.childNodes);
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
    return planBody({
      delegation: delegation.value, delegationName: delegation.selectedOptions[0].textContent, unit: unit.value,
      place: place.value, locality: locality.value, started: started.value, formId: formId.value,
      formTitle: formId.selectedOptions[0].textContent,
    });
  }

  async function planHere(form) {
    const plan = planValues(form);
    if (!plan) return;
    const { body, kept: values } = plan;
    const cache = window.caches && await caches.open(PAGES);
    const blank = cache && await cache.match(blankUrl(values.form));
    if (!blank) { showError(form, "form", form.dataset.notKept); return; }
    const uuid = crypto.randomUUID();
    await store.update("locals", (all = {}) => ({ ...all, [uuid]: { ...values, uuid, created_at: new Date().toISOString() } }));
    await cache.put(location.origin + localUrl(uuid), blank);
    await queue.enqueue({ id: uuid, kind: "create", visit: uuid, body: { uuid, ...body } });
    location.assign(localUrl(uuid));
  }

  root.addEventListener("submit", async (event) => {
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
    const note = root.querySelector("#plan-offline-note");
    if (note) note.hidden = navigator.onLine;
  }

  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  showNetwork();
  return { blankPages: keepBlankPages() }; // awaited by tests
}
