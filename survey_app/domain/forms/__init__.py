"""Checklist forms as the app knows them: the files in `forms/`, the versions an
administrator published (XLSForm), and the exact version each visit was filled with.
Read `library.py`, then `operations.py` (publish, retire, download); the form model is
in `survey_app/checklists`."""
