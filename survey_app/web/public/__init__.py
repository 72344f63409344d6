"""The public part of the site, without login: published survey reports and their
recommendations (`pages.py`)."""
