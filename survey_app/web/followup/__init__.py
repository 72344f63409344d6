"""Follow-up pages and API: the board, the overdue list, a unit's page, one
recommendation with its history, the reports (PDF, XLSX, CSV), reminders and the
calendar feed. Read `pages.py` first; `api.py` is the JSON side of the same."""
