"""Ids made by the client (a tablet): a visit's uuid, an autosave message's id, an
item's id. One rule for all of them, so a replay is recognised the same everywhere."""
from __future__ import annotations

from survey_app.domain.errors import DomainError
from survey_app.markers import N_

MIN_LENGTH, MAX_LENGTH = 8, 100


def check_client_id(value, field: str, *, item: bool = False) -> str:
    """`value` when it is a text of 8–100 characters; refused naming `field` otherwise."""
    if not isinstance(value, str) or not MIN_LENGTH <= len(value) <= MAX_LENGTH:
        message = N_("'%(field)s' phải là mã mục do máy khách tạo (8–100 ký tự)") if item \
            else N_("'%(field)s' phải là mã do máy khách tạo (8–100 ký tự)")
        raise DomainError(message, field, field=field)
    return value
