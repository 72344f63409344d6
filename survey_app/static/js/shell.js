// Every signed-in page: the service worker, the header indicator (online or offline,
// entries waiting to be sent), the outbox that sends them, and the logout that clears
// this user's local store after a warning about unsent entries. Started by app.js.
import "./constants.js";
import * as store from "./store.js";
import { SyncQueue } from "./sync.js";

const { PAGES_CACHE, SELF_KEPT_PAGE } = globalThis.SURVEY_SHELL;

// The indicator's texts: {online, offline, waiting, waitingOne, none} (its data-* attributes;
// waitingOne, the singular, where the language has one: "1 entry waiting to be sent").
export function indicatorText(texts, online, waiting) {
  const noun = waiting === 1 && texts.waitingOne ? texts.waitingOne : texts.waiting;
  return { net: online ? texts.online : texts.offline, count: waiting ? `${waiting} ${noun}` : texts.none };
}

function makeIndicator(element) {
  let waiting = 0;
  let trouble = "";
  const render = () => {
    if (!element) return;
    const online = navigator.onLine && trouble !== "retrying";
    const text = indicatorText(element.dataset, online, waiting);
    element.dataset.state = online ? "online" : "offline";
    element.dataset.count = String(waiting);
    element.querySelector("[data-slot=net]").textContent = text.net;
    element.querySelector("[data-slot=count]").textContent = text.count;
  };
  return {
    render,
    state(state) { trouble = state === "idle" || state === "sending" ? "" : state; render(); },
    count(count) { waiting = count; render(); },
  };
}

// The page the user opened is kept for offline use even before the worker controls it
// (or when it took control only while the page was loading: then it did not keep it).
async function keepThisPage() {
  if (!SELF_KEPT_PAGE.test(location.pathname) || !window.caches) return;
  const html = `<!doctype html>\n${document.documentElement.outerHTML}`;
  const key = location.origin + location.pathname;
  const cache = await caches.open(PAGES_CACHE);
  if (navigator.serviceWorker?.controller && await cache.match(key)) return; // the worker kept it
  await cache.put(key, new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } }));
}

async function logout(queue, form, dialog) {
  const count = await queue.size();
  if (count && dialog) {
    dialog.querySelector("[data-slot=count]").textContent = String(count);
    dialog.showModal();
    const choice = await new Promise((resolve) => dialog.addEventListener("click", (event) => {
      const button = event.target.closest("[data-choice]");
      if (button) resolve(button.dataset.choice);
    }));
    dialog.close();
    if (choice !== "logout") return;
  }
  await store.clearUser();
  if (window.caches) await caches.delete(PAGES_CACHE);
  form.submit();
}

// config: {user, csrf, indicator, logoutForm, logoutDialog, worker} (the chrome's elements
// and the worker's URL). Returns what the page modules use: {queue, onResult, snapshot}.
// The top bar's menus (<details class="nav-more">) close on a tap elsewhere and on Escape,
// which gives the focus back to the menu's button.
function closeMenus(event) {
  for (const menu of document.querySelectorAll("details.nav-more[open]")) {
    if (event.type === "keydown" ? event.key !== "Escape" : menu.contains(event.target)) continue;
    menu.open = false;
    if (event.type === "keydown") menu.querySelector("summary").focus();
  }
}

export function start({ user, csrf, indicator, logoutForm, logoutDialog, worker = "/sw.js" }) {
  store.useUser(user);
  const snapshot = keepThisPage(); // before any script changes the page
  const listeners = new Set();
  const shown = makeIndicator(indicator);
  const queue = new SyncQueue({
    csrf,
    onResult: (entry, status, body) => listeners.forEach((fn) => fn(entry, status, body)),
    onState: shown.state,
    onCount: shown.count,
  });
  queue.listen(window);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(worker, { scope: "/" }).catch(() => null);
  }
  window.addEventListener("online", shown.render);
  window.addEventListener("offline", shown.render);
  document.addEventListener("click", closeMenus);
  document.addEventListener("keydown", closeMenus);
  logoutForm?.addEventListener("submit", (event) => {
    event.preventDefault();
    logout(queue, logoutForm, logoutDialog);
  });
  shown.render();
  queue.count();
  queue.pump();
  return { queue, store, snapshot, onResult: (fn) => listeners.add(fn) };
}
