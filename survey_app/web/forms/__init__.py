"""Checklist forms for administrators: the list, XLSForm upload with preview, publish,
retire, download as XLSForm. Read `pages.py`; the operations are in domain/forms."""
