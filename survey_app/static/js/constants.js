// The offline shell's names, in one place for the pages and the service worker: cache
// names, the shell's files and which pages are kept for offline use. A classic script on
// purpose: /sw.js is served with this file in front of it (web/offline.py), the pages'
// modules read it after `import "./constants.js"`, node's tests the same way.
// A new SHELL_VERSION makes tablets fetch the whole shell again at once.
(function (scope) {
  "use strict";
  const SHELL_VERSION = "v17";
  scope.SURVEY_SHELL = Object.freeze({
    SHELL_VERSION,
    SHELL_CACHE: `shell-${SHELL_VERSION}`,
    SHELL_PREFIX: "shell-",
    PAGES_CACHE: "pages", // user data: cleared at logout with the local store
    SHELL_FILES: Object.freeze([
      "/static/css/app.css", "/static/css/capture.css", "/static/icons/app.svg", "/vendor/idb-keyval.js",
      "/static/js/constants.js", "/static/js/app.js", "/static/js/shell.js", "/static/js/store.js",
      "/static/js/sync.js", "/static/js/capture.js", "/static/js/capture-fields.js",
      "/static/js/capture-items.js", "/static/js/capture-photos.js", "/static/js/capture-local.js",
      "/static/js/capture-progress.js",
      "/static/js/capture-live.js",
      "/static/js/xpath.js", "/static/js/skip-logic.js",
      "/static/js/plan.js", "/static/js/visits-local.js", "/static/js/signature.js",
      "/static/js/unit-report.js", "/static/js/home.js", "/static/js/page-zoom.js", "/static/js/unit-picker.js",
      "/static/js/photo-annotate.js", "/static/css/photos.css",
      "/manifest.webmanifest",
    ]),
    // Pages the worker serves network first, then from the cache: the visit pages, the
    // list, the plan page, a form's blank capture page, the home page.
    KEPT_PAGES: Object.freeze([/^\/visits\/\d+(\/capture)?$/, /^\/visits(\/new)?$/,
                               /^\/visits\/blank\/[^/]+\/capture$/, /^\/$/]),
    // Pages a page keeps itself when the worker did not (not yet in control).
    SELF_KEPT_PAGE: /^\/visits(\/\d+(\/capture)?|\/new)?$/,
    // A visit planned on the tablet: the blank capture page kept for its uuid.
    LOCAL_PAGE: /^\/visits\/local\/[\w-]+\/capture$/,
    PHOTO: /^\/visits\/\d+\/photos\//,
    NETWORK_WAIT_MS: 4000,
  });
})(globalThis);
