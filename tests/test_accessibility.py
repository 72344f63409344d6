"""Accessible to everyone (issue 16, item 13): every HTML page that a role of the demo can
open passes axe-core (npm, from node_modules) in real Chromium with no serious or
critical violation, in Vietnamese (upright) and in English (on its side), so at both
tablet orientations; and the capture page works with a keyboard alone.

The pages come from the app's url_map with the ids of the security world, through the
authorization matrix's TABLE (its path template and the roles that may GET): a new route
has a row there, so it is checked here too. Files and JSON (by the answer's type) are
left out. One browser, one context per role; each page is loaded once per language."""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest

from . import security_world as world
from .conftest import make_app
from .live import CHROMIUM, CHROMIUM_ARGS, TABLET_LANDSCAPE, TABLET_PORTRAIT, LiveServer, login_page
from .test_authorization_matrix import OWN, TABLE

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
ROLES = ("anonymous", "admin", "secretary", "head", "member", "host", "viewer")
BLOCKING = ("serious", "critical")
# Never HTML: skipped without a request (static files, files, feeds, the JSON API).
NOT_PAGES = (".css", ".js", ".pdf", ".csv", ".svg", ".ics", ".xlsx", ".json", ".webmanifest")
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({impact: n.impact, target: n.target.join(' '), html: n.html.slice(0, 160)}))}));
}"""


@pytest.fixture(scope="module")
def world_server(tmp_path_factory):
    """A live server on the demo with the security world's objects (a visit with final
    minutes, recommendations, evidence, photos, a follow-up report...), and their ids."""
    server = LiveServer(tmp_path_factory.mktemp("a11y"))
    server.cli("init", "--demo")
    app = make_app(server.folder)
    try:
        ids = world.build(app)
        rules = [(rule.endpoint, rule.methods) for rule in app.url_map.iter_rules()]
    finally:
        app.extensions["survey_store"].close()
    server.start()
    yield server, ids, rules
    server.stop()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def pages_of(role: str, ids: dict, rules) -> list[tuple[str, str]]:
    """(endpoint, path) of every GET route the role may open, with the world's ids."""
    concrete = {key: ids.get(value, value) for key, value in OWN.items()} | {"calendar": ids["calendar"],
                                                                              "public_report": ids["public_report"]}
    found = []
    for endpoint, methods in sorted(rules):
        assert endpoint in TABLE, f"{endpoint}: a new route needs its row in the authorization matrix's TABLE"
        template, get_roles, _, _ = TABLE[endpoint]
        if "GET" not in methods or role not in get_roles:
            continue
        try:
            path = template.format(**concrete)
        except KeyError as missing:
            raise AssertionError(f"{endpoint} {template}: no object of the world for {missing}") from None
        if path.startswith("/api/") or path.split("?")[0].endswith(NOT_PAGES):
            continue
        found.append((endpoint, path))
    return found


def html_pages(context, server, pages) -> list[tuple[str, str]]:
    """Only the routes that answer an HTML page (not a file download, not JSON)."""
    kept = []
    for endpoint, path in pages:
        answer = context.request.get(server.url + path, max_redirects=5, timeout=60000)
        assert answer.status < 500, f"{endpoint} {path}: HTTP {answer.status}"
        if answer.ok and answer.headers.get("content-type", "").startswith("text/html"):
            kept.append((endpoint, path))
    return kept


def dom_key(html: str, language: str, orientation: str) -> str:
    """The page as axe-core sees it, without what differs between two signed-in users on
    the same page (the CSRF token, the user's id and name in the top bar): another role
    whose page gives the same key would get the same findings, so it is checked once."""
    html = re.sub(r'(name="csrf_token" value=")[^"]*|(name="csrf-token" content=")[^"]*'
                  r'|(name="app-user" content=")[^"]*|(<span class="who">)[^<]*', r"\1\2\3\4", html)
    return hashlib.sha256(f"{language} {orientation} {html}".encode()).hexdigest()


def check_loaded(page, where: str, language: str) -> list[dict]:
    """axe-core's violations of the page as it is now, and its <html lang>."""
    found = []
    lang = page.evaluate("document.documentElement.lang")
    if lang != language:
        found.append({"where": where, "rule": "html-lang", "impact": "serious", "target": "html", "html": "",
                      "help": f"<html lang> is {lang!r}, the page is in {language!r}"})
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # by DevTools: the page's CSP stays as it is
    for violation in page.evaluate(RUN_AXE):
        for node in violation["nodes"]:
            found.append({"where": where, "rule": violation["rule"], "impact": node["impact"] or violation["impact"],
                          "help": violation["help"], "target": node["target"], "html": node["html"]})
    return found


# Each page is checked in both languages and at both orientations: Vietnamese (the
# default, the one most used) upright, English on its side. The language changes the
# words, the orientation the layout; checking every pair would cost a third more.
CHECKED = {"vi": ("portrait", TABLET_PORTRAIT), "en": ("landscape", TABLET_LANDSCAPE)}


def audit_role(chromium, server, ids, rules, role, seen: set) -> tuple[list[dict], int, int]:
    """(violations, axe runs, pages skipped as already seen) of every page of the role:
    each page loaded and checked once per language, each language at its orientation."""
    context = chromium.new_context(viewport=TABLET_PORTRAIT, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                   has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(30000)
        if role != "anonymous":
            login_page(page, server, world.ROLES[role])
        pages = html_pages(context, server, pages_of(role, ids, rules))
        if role == "anonymous":
            assert ("auth.login", "/login") in pages, pages
        found, runs, skipped = [], 0, 0
        for language, (orientation, size) in CHECKED.items():
            page.set_viewport_size(size)
            page.goto(server.url + ("/login" if role == "anonymous" else "/") + f"?lang={language}")
            for endpoint, path in pages:
                page.goto(server.url + path, wait_until="load")
                key = dom_key(page.content(), language, orientation)
                if key in seen:
                    skipped += 1
                    continue
                seen.add(key)
                found += check_loaded(page, f"{endpoint} {path} [{role}, {language}, {orientation}]", language)
                runs += 1
        return found, runs, skipped
    finally:
        context.close()


def describe(found: list[dict]) -> str:
    by_rule = Counter(f"{v['rule']} ({v['impact']})" for v in found)
    lines = [f"{len(found)} serious/critical axe-core violations; by rule: {dict(sorted(by_rule.items()))}"]
    lines += [f"- {v['where']}: {v['rule']} ({v['impact']}: {v['help']}) at {v['target']}  {v['html']}"
              for v in found]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def seen_pages() -> set:
    return set()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_core(chromium, world_server, seen_pages, role):
    server, ids, rules = world_server
    found, runs, skipped = audit_role(chromium, server, ids, rules, role, seen_pages)
    assert runs >= 4, f"{role}: no page checked"
    blocking = [v for v in found if v["impact"] in BLOCKING]
    assert blocking == [], f"{role}, {runs} axe-core runs ({skipped} pages as another role's):\n" + describe(blocking)


def test_axe_core_runs_and_finds_what_is_wrong(chromium):
    """The check can fail: a page with an unlabelled field, a nameless button and grey on
    white gives serious/critical findings, by rule and target."""
    page = chromium.new_page()
    try:
        page.set_content('<html lang="vi"><body><main><h1>Thử</h1><input id="x" type="text">'
                         '<button id="b"></button><p id="c" style="color:#ccc;background:#fff">mờ</p></main></body></html>')
        found = [v for v in check_loaded(page, "test page", "vi") if v["impact"] in BLOCKING]
        assert {(v["rule"], v["target"]) for v in found} >= {("label", "#x"), ("button-name", "#b"),
                                                             ("color-contrast", "#c")}, describe(found)
        assert "test page: label (critical" in describe(found)
        page.set_content('<html lang="en"><head><title>Test</title></head><body><main><h1>Test</h1></main></body></html>')
        assert [v["rule"] for v in check_loaded(page, "test page", "vi")] == ["html-lang"]
    finally:
        page.close()


SAVED = ("() => document.getElementById('sync-status').dataset.state === 'saved'"
         " && !document.querySelector('.field-status[data-state=saving]')")


def tab_to(page, selector: str, limit: int = 80) -> int:
    """Press Tab until the element has the focus; the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) || false", selector):
            return presses
    raise AssertionError(f"{selector} never got the focus in {limit} presses of Tab")


def test_the_capture_page_works_with_a_keyboard_alone(chromium, world_server):
    """Tab to a section chip, Space or Enter follows it; Tab goes on into that section's
    first field; what is typed there is saved on the server when the focus leaves it."""
    server, ids, _ = world_server
    context = chromium.new_context(viewport=TABLET_LANDSCAPE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                   has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(20000)
        login_page(page, server, "thuky")
        capture = f"{server.url}/visits/{ids['own']}/capture"
        page.goto(capture, wait_until="networkidle")
        tab_to(page, 'nav.section-menu a[href="#report"]')
        page.keyboard.press("Space")
        page.wait_for_function("() => location.hash === '#report'")
        assert page.locator("#report h2").is_visible()
        page.goto(capture, wait_until="networkidle")
        tab_to(page, 'nav.section-menu a[href="#conclusion"]')
        page.keyboard.press("Enter")
        page.wait_for_function("() => location.hash === '#conclusion'")
        assert tab_to(page, '[data-field="conclusion.by"]', limit=1) == 1  # the section's first field next
        page.keyboard.type("Đinh Ly An (bàn phím)")
        page.keyboard.press("Tab")  # leaving the field saves it
        page.wait_for_function(SAVED)
        page.wait_for_function("() => !document.querySelector('[data-field=\"conclusion.by\"]')"
                               ".closest('.field').querySelector('.field-status[data-state=queued]')")
        other = context.browser.new_context(viewport=TABLET_PORTRAIT, locale="vi-VN")
        try:  # another tablet, nothing stored locally: the value came from the server
            reader = other.new_page()
            login_page(reader, server, "truongdoan")
            reader.goto(capture, wait_until="networkidle")
            assert reader.input_value('[data-field="conclusion.by"]') == "Đinh Ly An (bàn phím)"
        finally:
            other.close()
    finally:
        context.close()
