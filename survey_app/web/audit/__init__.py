"""The audit trail for administrators: the page with its filters and CSV export
(`pages.py`) and `GET /api/v1/audit` (`api.py`); the rules are in `domain/audit.py`."""
