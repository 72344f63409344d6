"""The checklist forms the app knows: the files in `forms/` and the versions published
through the application (XLSForm upload or CLI, kept in the database), the newest
version of each form id being the current one; the exact version each visit was filled
with (kept by content hash), so a new version never changes an old visit; and which
forms are retired (no new visits)."""
from __future__ import annotations

from functools import lru_cache

from survey_app.checklists import FormRegistry, load_forms, parse_form
from survey_app.storage import forms as forms_sql
from survey_app.storage import visits as sql


class FormLibrary:
    def __init__(self, registry: FormRegistry, store=None):
        self.registry = registry
        self.store = store

    @classmethod
    def load(cls, directory, store=None) -> "FormLibrary":
        return cls(load_forms(directory), store)

    @property
    def errors(self) -> list[str]:
        return self.registry.errors

    def _current(self) -> tuple[dict, set[str]]:
        forms = dict(self.registry.forms)
        if self.store is None:
            return forms, set()
        published, retired = self.store.read(
            lambda db: (forms_sql.latest_publications(db), forms_sql.retired_ids(db)))
        for row in published:
            spec = _parse_stored(row["content_hash"], row["form_id"], row["source"])
            if row["form_id"] not in forms or spec.version >= forms[row["form_id"]].version:
                forms[row["form_id"]] = spec
        return forms, retired

    def get(self, form_id: str):
        """The current version of a form, retired or not (old visits still read it)."""
        return self._current()[0].get(form_id)

    def for_new_visit(self, form_id: str):
        """The current version, or None if there is none or the form is retired."""
        forms, retired = self._current()
        return None if form_id in retired else forms.get(form_id)

    def __iter__(self):
        """The forms new visits may use, by id."""
        forms, retired = self._current()
        return iter([forms[key] for key in sorted(forms) if key not in retired])

    def catalogue(self) -> list[tuple[object, bool]]:
        """Every current form with whether it is retired, by id (the admin's list)."""
        forms, retired = self._current()
        return [(forms[key], key in retired) for key in sorted(forms)]

    def for_visit(self, db, visit: dict):
        """The form exactly as the visit was filled with."""
        current = self.registry.get(visit["form_id"])
        if current is not None and current.content_hash == visit["form_hash"]:
            return current
        return _parse_stored(visit["form_hash"], visit["form_id"], sql.form_source(db, visit["form_hash"]))


# Kept (benchmarks/caches.py): parsing a published form costs ~6 ms and `_current()`
# parses every published form at each `get`; keyed by the content hash, a new version
# (a new hash) is parsed at once, so nothing needs invalidating.
@lru_cache(maxsize=64)
def _parse_stored(content_hash: str, form_id: str, source: str):
    spec = parse_form(source, f"{form_id}.toml")
    assert spec.content_hash == content_hash, "stored form text does not match its hash"
    return spec
