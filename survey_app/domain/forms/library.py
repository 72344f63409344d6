"""The checklist forms the app knows: the current files in `forms/`, and the exact
version each visit was filled with (kept in the database by content hash), so
changing a form file never changes an old visit."""
from __future__ import annotations

from functools import lru_cache

from survey_app.checklists import FormRegistry, load_forms, parse_form
from survey_app.storage import visits as sql


class FormLibrary:
    def __init__(self, registry: FormRegistry):
        self.registry = registry

    @classmethod
    def load(cls, directory) -> "FormLibrary":
        return cls(load_forms(directory))

    @property
    def errors(self) -> list[str]:
        return self.registry.errors

    def get(self, form_id: str):
        return self.registry.get(form_id)

    def __iter__(self):
        return iter(self.registry)

    def for_visit(self, db, visit: dict):
        """The form exactly as the visit was filled with."""
        current = self.registry.get(visit["form_id"])
        if current is not None and current.content_hash == visit["form_hash"]:
            return current
        return _parse_stored(visit["form_hash"], visit["form_id"], sql.form_source(db, visit["form_hash"]))


@lru_cache(maxsize=64)
def _parse_stored(content_hash: str, form_id: str, source: str):
    spec = parse_form(source, f"{form_id}.toml")
    assert spec.content_hash == content_hash, "stored form text does not match its hash"
    return spec
