// Every signed-in page: the service worker, the header indicator (online or offline,
// entries waiting to be sent), the outbox that sends them, and the logout that clears
// this user's local store after a warning about unsent entries.
import * as store from "./store.js";
import { SyncQueue } from "./sync.js";

const user = document.querySelector('meta[name="app-user"]')?.content;
const indicator = document.getElementById("net-status");
const KEPT_PAGE = /^\/visits(\/\d+(\/capture)?|\/new)?$/;
const listeners = new Set();
let waiting = 0;
let trouble = "";

export const signedIn = Boolean(user);
if (user) store.useUser(user);

function render() {
  if (!indicator) return;
  const online = navigator.onLine && trouble !== "retrying";
  const { online: onText, offline: offText, waiting: waitText, none } = indicator.dataset;
  indicator.dataset.state = online ? "online" : "offline";
  indicator.dataset.count = String(waiting);
  indicator.querySelector("[data-slot=net]").textContent = online ? onText : offText;
  indicator.querySelector("[data-slot=count]").textContent = waiting ? `${waiting} ${waitText}` : none;
}

export const queue = new SyncQueue({
  csrf: document.querySelector('meta[name="csrf-token"]')?.content
    || document.querySelector('#logout-form input[name="csrf_token"]')?.value,
  onResult: (entry, status, body) => listeners.forEach((fn) => fn(entry, status, body)),
  onState: (state) => { trouble = state === "idle" || state === "sending" ? "" : state; render(); },
  onCount: (count) => { waiting = count; render(); },
});

export const onResult = (fn) => listeners.add(fn);

// The page the user opened is kept for offline use even before the worker controls it
// (or when it took control only while the page was loading: then it did not keep it).
async function keepThisPage() {
  if (!KEPT_PAGE.test(location.pathname) || !window.caches) return;
  const html = `<!doctype html>\n${document.documentElement.outerHTML}`;
  const key = location.origin + location.pathname;
  const cache = await caches.open("pages");
  if (navigator.serviceWorker?.controller && await cache.match(key)) return; // the worker kept it
  await cache.put(key, new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } }));
}

async function logout(form, dialog) {
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
  if (window.caches) await caches.delete("pages");
  form.submit();
}

function wireLogout() {
  const form = document.getElementById("logout-form");
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    logout(form, document.getElementById("logout-dialog"));
  });
}

if (user) {
  const snapshot = keepThisPage(); // before any script changes the page
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => null);
  }
  window.addEventListener("online", render);
  window.addEventListener("offline", render);
  wireLogout();
  render();
  queue.count();
  queue.pump();
  window.surveyOffline = { queue, store, snapshot, onResult }; // for tests and the benchmark
}
