"""Visit pages: the list, planning, the capture page (online and offline), the
overview and photos. Read `pages.py` first; the visit API is in `web/api.py`."""
