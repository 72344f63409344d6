"""Checklist forms as the app knows them: the files in `forms/` and the exact version
each visit was filled with. Read `library.py`; the form model is in `survey_app/checklists`."""
