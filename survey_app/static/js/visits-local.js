// The visits list: visits planned on this tablet (plan.js) that the page from the server
// does not list. Not yet on the server: "Chưa đồng bộ", opened at their local address.
// Synced already (a page cached before the sync): the server's address of the visit.
// start(config): {root (#local-visits), rowTemplate and serverList (ids, data-* of the
// root), onResult}.
import * as store from "./store.js";

const dateOf = (iso) => iso.slice(0, 10).split("-").reverse().join("/"); // Vietnam time (plan.js)

// The local visits to list, newest first: not on the server, or on it but not in the
// listed addresses; each with its server id when it has one.
export function localRows(locals, ids, listed) {
  return Object.values(locals)
    .filter((visit) => !ids[visit.uuid] || !listed.has(`/visits/${ids[visit.uuid]}`))
    .sort((a, b) => b.started_at.localeCompare(a.started_at))
    .map((visit) => ({ visit, id: ids[visit.uuid] }));
}

export function start({ root, rowTemplate, serverList, onResult }) {
  const doc = root.ownerDocument;

  function row(visit, id) {
    const tr = doc.getElementById(rowTemplate).content.firstElementChild.cloneNode(true);
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
    const locals = (await store.get("locals")) || {};
    const ids = (await store.get("ids")) || {};
    const listed = new Set([...doc.querySelectorAll(`#${serverList} a[href]`)].map((a) => a.getAttribute("href")));
    const rows = localRows(locals, ids, listed).map(({ visit, id }) => row(visit, id));
    root.querySelector("tbody").replaceChildren(...rows);
    root.hidden = !rows.length;
  }

  onResult((entry) => { if (entry.kind === "create") show(); });
  return { shown: show() };
}
