"""Minutes (biên bản) pages and API: draft, wording, finalize, signatures, versions,
the certificate page and the public verification page. Read `pages.py` first."""
