"""The survey report of a delegation through the API (`api.py`) and its pages (`pages.py`)."""
