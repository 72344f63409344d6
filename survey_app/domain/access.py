"""Named permission checks, declared once and called from the loaders of each area.

Roles: admin, secretary, head, member, host (tied to one unit), viewer. A person's
role inside a delegation is a membership (head, deputy, member, secretary).
"""
from __future__ import annotations

from survey_app.domain.errors import Forbidden

def can_manage_users(user: dict) -> bool:
    return user["role"] == "admin"


def require(allowed: bool, message: str = "Bạn không có quyền thực hiện thao tác này.") -> None:
    if not allowed:
        raise Forbidden(message)
