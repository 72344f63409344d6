"""Recommendation follow-up (theo dõi việc thực hiện kiến nghị): statuses and their
transitions, progress updates with evidence, overdue, reports and reminders.
Read `operations.py` first; `evidence.py` checks uploaded files, `report.py` and
`reminders.py` produce documents from the same queries."""
