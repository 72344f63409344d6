// The tablet's local store, in IndexedDB through idb-keyval (window.idbKeyval, the UMD
// build served at /vendor/idb-keyval.js). Every key belongs to the signed-in user
// ("u<id>:…") so logout on a shared tablet clears exactly that user's data.
//   outbox           ordered entries to send: {id, kind: change|photo|create, visit, message|fields|body, sent}
//   draft:<visit>    latest local values, by element key (f:<path>, i:<item uid>, p:<photo uid>)
//   conflicts:<visit> 409 answers waiting for the user's choice, by element key
//   versions         version the server gave our own last message, by visit|target|item
//   ids              server id of visits made on the tablet, by their uuid
//   locals           visits planned on the tablet, by uuid: the plan's values (see plan.js)
//   photo:<uid>      resized photo (Blob) until the server has it
const kv = () => globalThis.idbKeyval;
let prefix = "anon:";

export function useUser(id) { prefix = `u${id}:`; }
export const owner = () => prefix;
export const get = (key) => kv().get(prefix + key);
export const set = (key, value) => kv().set(prefix + key, value);
export const del = (key) => kv().del(prefix + key);
export const update = (key, fn) => kv().update(prefix + key, fn);

export async function clearUser() {
  const mine = (await kv().keys()).filter((key) => typeof key === "string" && key.startsWith(prefix));
  await kv().delMany(mine);
}

export const elementKey = (message) => (message.item ? `i:${message.item}` : `f:${message.target}`);
export const versionKey = (visit, message) => `${visit}|${message.target}|${message.item || ""}`;

// Keep the latest local value of an element (field, item or photo) of a visit.
export function remember(visit, key, record) {
  return update(`draft:${visit}`, (draft = {}) => ({ ...draft, [key]: { ...(draft[key] || {}), ...record } }));
}

export function forget(visit, key, onlyIfMessage) {
  return update(`draft:${visit}`, (draft = {}) => {
    if (draft[key] && (!onlyIfMessage || draft[key].msg === onlyIfMessage)) delete draft[key];
    return draft;
  });
}

export function setConflict(visit, key, body) {
  return update(`conflicts:${visit}`, (all = {}) => {
    if (body) all[key] = body; else delete all[key];
    return all;
  });
}

// Record what an answer means for the local store, whether or not a page is open.
export async function settle(entry, status, body) {
  const { visit } = entry;
  if (entry.kind === "create") {
    if (status < 300) {
      await update("ids", (ids = {}) => ({ ...ids, [entry.id]: body.id }));
      await adopt(entry.id, body.id);
    }
    await update("locals", (all = {}) => {
      if (all[entry.id]) all[entry.id] = { ...all[entry.id], error: status < 300 ? undefined : body.error || String(status) };
      return all;
    });
    return;
  }
  if (entry.kind === "photo") {
    if (status < 300) {  // kept as "synced" so an older cached page still shows it
      await remember(visit, `p:${entry.id}`, { synced: true, url: body.url, version: body.version,
                                               fieldVersion: body.field?.version, error: undefined });
      await del(`photo:${entry.id}`);
    } else {
      await remember(visit, `p:${entry.id}`, { error: body.error || String(status) });
    }
    return;
  }
  const message = entry.message;
  const key = elementKey(message);
  if (status === 200 && body.ok !== false) {
    if (body.version !== undefined) await update("versions", (v = {}) => ({ ...v, [versionKey(visit, message)]: body.version }));
    await update(`draft:${visit}`, (draft = {}) => {  // kept with its version, see capture.js restore()
      const record = draft[key];
      if (record) draft[key] = { ...record, version: body.version ?? record.version, error: undefined,
                                 synced: record.msg === message.id };
      return draft;
    });
    await setConflict(visit, key, null);
  } else if (status === 409 && body.conflict) {
    await setConflict(visit, key, { ...body, message_id: message.id });
  } else {
    await remember(visit, key, { error: body.error || String(status) });
  }
}

// A visit made on the tablet got its server id: what the tablet keeps under its uuid
// (drafts, conflicts, versions, unsent entries) moves to the id, so the server's page
// of the visit shows it. Safe to run again: later writes under the uuid win.
export async function adopt(uuid, id) {
  const key = String(id);
  for (const name of ["draft", "conflicts"]) {
    const kept = await get(`${name}:${uuid}`);
    if (!kept) continue;
    await update(`${name}:${key}`, (now = {}) => ({ ...now, ...kept }));
    await del(`${name}:${uuid}`);
  }
  await update("versions", (all = {}) => Object.fromEntries(Object.entries(all).map(
    ([name, version]) => [name.startsWith(`${uuid}|`) ? key + name.slice(uuid.length) : name, version])));
  await update("outbox", (list = []) => list.map((e) => (e.visit === uuid && e.kind !== "create" ? { ...e, visit: key } : e)));
}
