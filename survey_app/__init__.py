"""survey_app: inspection and survey delegations record visits on a tablet, produce
the official minutes (biên bản) and follow every recommendation until it is done."""
from survey_app.app import create_app

__all__ = ["create_app"]
