// The one entry point of the signed-in pages (the chrome loads it): starts the shell
// (shell.js: worker, indicator, outbox, logout), then the page's own module. A page
// names its module with a script tag `<script type="module" src=".../capture.js"
// data-root="capture">`; the module's start(config) receives the root element, the
// root's data-* attributes (ids, URLs, texts), the texts of the JSON script the root
// names in data-texts, the page's language (`locale`, its <html lang>: numbers and
// dates are formatted in it), and the shell's queue, store and onResult. No module but this
// one touches the page when it is imported.
import "./constants.js";
import { start as startShell } from "./shell.js";
import * as capture from "./capture.js";
import * as captureLocal from "./capture-local.js";
import * as home from "./home.js";
import * as pageZoom from "./page-zoom.js";
import * as plan from "./plan.js";
import * as signature from "./signature.js";
import * as skipLogic from "./skip-logic.js";
import * as unitPicker from "./unit-picker.js";
import * as unitReport from "./unit-report.js";
import * as visitsLocal from "./visits-local.js";

const PAGES = { "capture.js": capture, "capture-local.js": captureLocal, "home.js": home, "page-zoom.js": pageZoom,
                "plan.js": plan,
                "signature.js": signature, "skip-logic.js": skipLogic, "unit-picker.js": unitPicker,
                "unit-report.js": unitReport,
                "visits-local.js": visitsLocal };

const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content;

function pageConfig(root) {
  const texts = root.dataset.texts ? JSON.parse(document.getElementById(root.dataset.texts).textContent) : {};
  return { ...root.dataset, root, texts, locale: document.documentElement.lang === "en" ? "en" : "vi" };
}

function boot() {
  const user = meta("app-user");
  if (!user) return;
  const shell = startShell({
    user,
    csrf: meta("csrf-token") || document.querySelector('#logout-form input[name="csrf_token"]')?.value,
    indicator: document.getElementById("net-status"),
    logoutForm: document.getElementById("logout-form"),
    logoutDialog: document.getElementById("logout-dialog"),
  });
  window.surveyOffline = { ...shell }; // for tests and the benchmark
  for (const tag of document.querySelectorAll("script[type=module][data-root]")) {
    const page = PAGES[new URL(tag.src).pathname.split("/").pop()];
    const root = document.getElementById(tag.dataset.root);
    if (page && root) Object.assign(window.surveyOffline, page.start({ ...pageConfig(root), ...shell }));
  }
}

boot();
