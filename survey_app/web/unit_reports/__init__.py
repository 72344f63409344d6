"""The unit's own report: the API (`api.py`, GET/PUT under /api/v1) and the pages
(`pages.py`: the host's upcoming visits, the report form with its autosave and
attachment, read by the delegation)."""
