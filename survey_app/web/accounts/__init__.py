"""Sign-in and sign-out (`auth.py`) and the administration of accounts (`admin.py`)."""
