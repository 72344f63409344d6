"""Visits (buổi khảo sát): planning, the record and its autosave messages, the
exchange document `survey-visit/1`, photos, and the read views the pages show.
Read `operations.py` first, then `changes.py` (autosave) and `document.py` (import/export)."""
