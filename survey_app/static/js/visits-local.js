// The visits list: visits planned on this tablet (plan.js) that the page from the server
// does not list. Not yet on the server: "Chưa đồng bộ", opened at their local address.
// Synced already (a page cached before the sync): the server's address of the visit.
import * as store from "./store.js";
import { onResult, signedIn } from "./app.js";

const section = document.getElementById("local-visits");

const dateOf = (iso) => iso.slice(0, 10).split("-").reverse().join("/"); // Vietnam time (plan.js)

function row(visit, id) {
  const tr = document.getElementById("local-visit-row").content.firstElementChild.cloneNode(true);
  const href = id ? `/visits/${id}/capture` : `/visits/local/${visit.uuid}/capture`;
  const slot = (name) => tr.querySelector(`[data-slot="${name}"]`);
  Object.assign(slot("date"), { href, textContent: dateOf(visit.started_at) });
  Object.assign(slot("unit"), { href, textContent: visit.unit });
  slot("delegation").textContent = visit.delegation_name;
  slot(id ? "unsynced" : "synced").remove();
  slot("error").textContent = id ? "" : visit.error || "";
  tr.dataset.uuid = visit.uuid;
  return tr;
}

async function show() {
  const locals = Object.values((await store.get("locals")) || {});
  const ids = (await store.get("ids")) || {};
  const listed = new Set([...document.querySelectorAll("#server-visits a[href]")].map((a) => a.getAttribute("href")));
  const rows = locals
    .filter((visit) => !ids[visit.uuid] || !listed.has(`/visits/${ids[visit.uuid]}`))
    .sort((a, b) => b.started_at.localeCompare(a.started_at))
    .map((visit) => row(visit, ids[visit.uuid]));
  section.querySelector("tbody").replaceChildren(...rows);
  section.hidden = !rows.length;
}

if (signedIn && section) {
  show();
  onResult((entry) => { if (entry.kind === "create") show(); });
}
