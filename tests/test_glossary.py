"""One vocabulary (issue 19 item 1): no page template, no message of the catalogue and
no document template uses a term the glossary replaces.

The replaced terms are those of the project's GLOSSARY.md (kept beside the repository,
`../shared/GLOSSARY.md`): every `not "…"` / `never "…"` of it ("chuyến", "chốt",
"Checklist", "Nơi nhận", "hãy …", "Bạn không có quyền …"), plus the two the issue names
that the glossary gives only as a rule: "xác minh" (one verb: "xác thực") and "ghi
nhận" (acknowledge, not capture). They are listed here so a clone without the glossary
checks them too; where the glossary is at hand, a term it adds and this list lacks fails.
Titles follow Decree 30's capitalisation ("Thư ký Đoàn", "Phó Trưởng đoàn", "Thành viên Đoàn"). Documents keep "Nơi nhận" for
their distribution block and may "ghi nhận" (acknowledge) in the head's conclusion:
those two are refused in pages and messages only."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
GLOSSARIES = (ROOT / "GLOSSARY.md", ROOT.parent / "shared" / "GLOSSARY.md")
TERMS = ["Bạn không có quyền", "Checklist", "chốt", "chuyến", "ghi nhận", "hãy", "Nơi nhận", "xác minh"]
TEMPLATES = ROOT / "templates"
CATALOGUE = ROOT / "survey_app/translations/en/LC_MESSAGES/messages.po"
# What documents/render.py renders (the minutes, the follow-up report, the reminder digest,
# the survey plan and its report outline, the survey report).
DOCUMENTS = ("minutes/", "followup/report.html", "followup/digest.html", "plans/ke_hoach.html", "plans/de_cuong.html",
             "survey_report/bao_cao.html")
ISSUE_19 = ("xác minh", "ghi nhận")
DOCUMENTS_MAY = {"nơi nhận", "ghi nhận"}
# "Capitalisation follows Decree 30/2020/NĐ-CP" (GLOSSARY.md): these spellings are wrong
# wherever they stand (compared with their case).
MISCAPITALISED = ("Thành viên đoàn", "thành viên đoàn", "Thư ký đoàn", "thư ký đoàn",
                  "Phó trưởng đoàn", "phó trưởng đoàn")
# Texts a reader sees in a tag: these attributes' values.
SHOWN_ATTRIBUTES = re.compile(r"""\b(?:title|placeholder|aria-label|alt)\s*=\s*("[^"]*"|'[^']*')""")
MARKED = re.compile(r"""\b(?:_|gettext|ngettext|N_|_l)\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")


def replaced_terms(glossary: str) -> list[str]:
    """The terms the glossary replaces: every `not "X"` and `never "X"` ("X …" → "X")."""
    found = re.findall(r'\b(?:not|never)\s+"([^"]+)"', glossary)
    return sorted({term.replace("…", "").strip() for term in found} | set(ISSUE_19), key=str.lower)


def _terms() -> list[str]:
    return TERMS


def shown_text(template: str) -> str:
    """What a reader of the rendered template can see: its text outside tags and Jinja
    code, the marked strings, and the shown attributes (not class names, ids, keys)."""
    template = re.sub(r"\{#.*?#\}", " ", template, flags=re.S)
    template = re.sub(r"<(script|style)\b.*?</\1>", " ", template, flags=re.S | re.I)
    parts = [literal[1:-1] for literal in MARKED.findall(template)]
    parts += [value[1:-1] for value in SHOWN_ATTRIBUTES.findall(template)]
    outside = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", template, flags=re.S)
    parts.append(re.sub(r"<[^>]*>", " ", outside))
    return "\n".join(parts)


def uses(text: str, terms) -> list[str]:
    found = [term for term in terms
             if re.search(r"(?<!\w)" + re.escape(term) + r"(?!\w)", text, re.IGNORECASE)]
    return found + [term for term in MISCAPITALISED
                    if re.search(r"(?<!\w)" + re.escape(term) + r"(?!\w)", text)]


def offences(root: Path, terms: list[str]) -> list[str]:
    found = []
    for path in sorted((root / "templates").rglob("*.html")):
        name = path.relative_to(root / "templates").as_posix()
        document = name.startswith(DOCUMENTS)
        refused = [t for t in terms if not (document and t.lower() in DOCUMENTS_MAY)]
        found += [f"templates/{name}: {term}" for term in uses(shown_text(path.read_text(encoding="utf-8")),
                                                               refused)]
    with open(root / CATALOGUE.relative_to(ROOT), "rb") as po:
        for message in read_po(po):
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            found += [f"catalogue: {msgid!r}: {term}" for term in uses(msgid or "", terms)]
    return found


def test_the_list_holds_every_term_the_glossary_replaces():
    sample = 'Buổi khảo sát | visit | not "chuyến" (a trip) |\n"Vui lòng …", not "hãy …"; never "Checklist"'
    assert replaced_terms(sample) == ["Checklist", "chuyến", "ghi nhận", "hãy", "xác minh"]
    for glossary in (path for path in GLOSSARIES if path.exists()):
        listed = {term.lower() for term in TERMS}
        missing = [t for t in replaced_terms(glossary.read_text(encoding="utf-8")) if t.lower() not in listed]
        assert not missing, f"{glossary.name} replaces terms TERMS lacks: {missing}"


def test_pages_messages_and_documents_use_only_the_glossarys_terms():
    found = offences(ROOT, _terms())
    assert not found, "\n".join(found)


def test_the_check_finds_a_replaced_term_where_a_reader_sees_it(tmp_path):
    """The check itself: a page text, a marked string, a shown attribute and a msgid are
    caught; a class name, a Jinja key and a document's distribution block are not."""
    (tmp_path / "templates/visits").mkdir(parents=True)
    (tmp_path / "templates/minutes").mkdir(parents=True)
    (tmp_path / CATALOGUE.relative_to(ROOT)).parent.mkdir(parents=True)
    (tmp_path / "templates/visits/a.html").write_text(
        '<section id="checklist" class="checklist">{{ _("Chốt biên bản") }}</section>'
        '<a title="Xác minh">x</a> Các chuyến khảo sát {% if visit.checklist %}{% endif %}'
        '<td>Thư ký Đoàn</td><td>Thư ký đoàn</td>', encoding="utf-8")
    (tmp_path / "templates/minutes/b.html").write_text('<p class="recipients-title">Nơi nhận:</p>',
                                                      encoding="utf-8")
    (tmp_path / CATALOGUE.relative_to(ROOT)).write_text(
        'msgid ""\nmsgstr ""\n\nmsgid "Hãy thử lại."\nmsgstr "Try again."\n', encoding="utf-8")
    found = offences(tmp_path, _terms())
    assert found == ["templates/visits/a.html: chốt", "templates/visits/a.html: chuyến",
                     "templates/visits/a.html: xác minh", "templates/visits/a.html: Thư ký đoàn",
                     "catalogue: 'Hãy thử lại.': hãy"], found
