// Helpers of the node tests of survey_app/static/js: the modules are imported as the
// browser imports them, without a DOM. idb-keyval (a library, served to the browser as
// window.idbKeyval) is stood in for by the same five calls over a Map.
export const JS = new URL("../../survey_app/static/js/", import.meta.url);

export function memoryKv() {
  const data = new Map();
  const copy = (value) => (value === undefined ? undefined : structuredClone(value));
  return {
    data,
    get: async (key) => copy(data.get(key)),
    set: async (key, value) => { data.set(key, copy(value)); },
    del: async (key) => { data.delete(key); },
    update: async (key, fn) => { data.set(key, copy(fn(copy(data.get(key))))); },
    keys: async () => [...data.keys()],
    delMany: async (keys) => { keys.forEach((key) => data.delete(key)); },
  };
}

// A list item as positionOf reads it: its neighbours' data-position and data-added.
export function listOf(...positions) {
  const items = positions.map((position) => ({ dataset: position === null ? { added: "0" } : { position: String(position), added: "1" } }));
  items.forEach((item, i) => Object.assign(item, { previousElementSibling: items[i - 1] || null,
                                                   nextElementSibling: items[i + 1] || null }));
  return items;
}

// An input as readField reads it: data-type, value, and for radios the checked input.
export function input(type, value, checked) {
  return { dataset: { type }, value, querySelector: (selector) => (selector === "input:checked" && checked !== undefined
    ? { value: checked } : null) };
}
