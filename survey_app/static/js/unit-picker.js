// The unit picker (templates/_unit_picker.html): a search box over the units directory
// (GET /units/search?q=, at most 20 units) whose choice fills a hidden unit id. Typing
// again clears the id; without a choice the typed name is sent and the server matches
// it after folding. Keyboard: arrows move, Enter chooses, Escape closes.

export const DELAY_MS = 150;
export const SEARCH_URL = "/units/search"; // web/directory/units.py, `search`

// The name as the server searches it (survey_app/text.py search_key): case folded,
// without diacritics, đ written d, spaces collapsed.
export function searchKey(text) {
  return (text || "").normalize("NFC").toLowerCase().replace(/đ/g, "d").normalize("NFD")
    .replace(/\p{M}/gu, "").split(/\s+/).filter(Boolean).join(" ");
}

export function searchUrl(base, text) {
  const typed = (text || "").trim();
  return typed ? `${base}?q=${encodeURIComponent(typed.slice(0, 100))}` : null;
}

// The next highlighted row: wraps around; -1 when there is nothing to highlight.
export function move(index, step, count) {
  if (!count) return -1;
  if (index < 0) return step > 0 ? 0 : count - 1;
  return (index + step + count) % count;
}

// The unit whose name is exactly what was typed (after folding), or null.
export function exactMatch(units, text) {
  const key = searchKey(text);
  return (key && units.find((unit) => searchKey(unit.name) === key)) || null;
}

export function optionLabel(unit) {
  return unit.locality ? `${unit.name} — ${unit.locality}` : unit.name;
}

// The capture page's addressee fields (typed text, kept offline): while online, the
// shared <datalist> under `root` is refilled with the directory's answer to what is
// being typed in any input that names it, instead of holding every unit of the country.
function suggest(root, base) {
  const list = root.querySelector("datalist");
  let timer = null, asked = 0;
  root.ownerDocument.addEventListener("input", (event) => {
    if (event.target.getAttribute?.("list") !== list.id) return;
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const url = searchUrl(base, event.target.value);
      if (!url) return;
      const ticket = ++asked;
      try {
        const answer = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!answer.ok || ticket !== asked) return;
        const units = (await answer.json()).units;
        list.replaceChildren(...units.map((unit) => Object.assign(document.createElement("option"),
          { value: unit.name })));
      } catch { /* offline: the options already there stay */ }
    }, DELAY_MS);
  });
  return {};
}

export function start({ root, none, mode }) {
  const base = SEARCH_URL;
  if (mode === "datalist") return suggest(root, base);
  const input = root.querySelector("input[type=text]");
  const hidden = root.querySelector("input[type=hidden]");
  const list = root.querySelector("[role=listbox]");
  let units = [], active = -1, timer = null, asked = 0;

  const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; };
  const choose = (unit) => { input.value = unit.name; hidden.value = String(unit.id); close(); };
  const show = () => {
    list.replaceChildren(...(units.length ? units.map((unit, index) => {
      const li = document.createElement("li");
      li.id = `${root.id}-option-${index}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(index === active));
      li.textContent = optionLabel(unit);
      li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(unit); });
      return li;
    }) : [Object.assign(document.createElement("li"), { className: "muted", textContent: none })]));
    if (active >= 0) input.setAttribute("aria-activedescendant", `${root.id}-option-${active}`);
    else input.removeAttribute("aria-activedescendant");
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };
  const search = async () => {
    const url = searchUrl(base, input.value);
    if (!url) { units = []; close(); return; }
    const ticket = ++asked;
    try {
      const answer = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!answer.ok || ticket !== asked) return;
      units = (await answer.json()).units;
      active = -1;
      if (root.ownerDocument.activeElement === input) show(); // not after the user moved on
    } catch { /* offline: the typed name is sent and matched by the server */ }
  };
  input.addEventListener("input", () => {
    hidden.value = "";
    clearTimeout(timer);
    timer = setTimeout(search, DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden) { search(); return; }
      active = move(active, event.key === "ArrowDown" ? 1 : -1, units.length);
      show();
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(units[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => {
    const exact = hidden.value ? null : exactMatch(units, input.value);
    if (exact) choose(exact);
    close();
  });
  return {};
}
