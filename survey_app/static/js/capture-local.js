// The capture page of a visit planned on the tablet without network, at
// /visits/local/<uuid>/capture: the service worker serves the form's blank capture page
// (kept by plan.js), this module fills in the plan from the local store and runs the
// usual capture page with the uuid as the visit key. Once the server has made the visit
// (its `create` entry answered), the page moves to /visits/<id>/capture.
// start(config): the capture page's config (app.js) with its texts `missing` and
// `templateOnly` (data-* of the root) and the page's address.
import * as store from "./store.js";
import { writeField } from "./capture-fields.js";
import * as capture from "./capture.js";

export const LOCAL_ADDRESS = /^\/visits\/local\/([\w-]+)\/capture$/;

// The plan's time is Vietnam time already (plan.js): shown as the server shows it.
export const when = (iso) => `${iso.slice(11, 16)} ${iso.slice(0, 10).split("-").reverse().join("/")}`;

export function start(config) {
  const { root, missing, templateOnly, onResult, address = location } = config;
  const uuid = address.pathname.match(LOCAL_ADDRESS)?.[1];
  const slot = (name) => root.querySelector(`[data-slot="${name}"]`);
  let page = null;

  function showError(text) {
    const box = slot("error");
    box.textContent = text || "";
    box.hidden = !text;
  }

  function fill(visit) {
    slot("unit").textContent = visit.unit;
    slot("delegation").textContent = visit.delegation_name;
    slot("started").textContent = when(visit.started_at);
    document.title = `${document.title.split("·")[0].trim()} · ${visit.unit}`;
    const started = root.querySelector('[data-field="started_at"]');
    writeField(started, visit.started_at);
    started.dataset.version = "1"; // the server writes the planned time as version 1 of the field
    showError(visit.error);
  }

  // Keep what is still being typed, move it to the server id, then open the server's page.
  async function moveToServer(id) {
    if (page) await page.flush();
    await store.adopt(uuid, id);
    address.replace(`/visits/${id}/capture${address.hash}`);
  }

  async function open() {
    if (!uuid) { showError(templateOnly); return; }
    const id = ((await store.get("ids")) || {})[uuid];
    if (id) { await moveToServer(id); return; }
    const visit = ((await store.get("locals")) || {})[uuid];
    if (!visit) { showError(missing); return; }
    root.dataset.visit = uuid;
    fill(visit);
    onResult((entry, status, body) => {
      if (entry.kind !== "create" || entry.id !== uuid) return;
      if (status < 300) moveToServer(body.id);
      else showError(body.error || String(status));
    });
    page = capture.start({ ...config, visit: uuid });
  }

  return { opened: open() };
}
