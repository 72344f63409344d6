"""`N_` marks a string for the translation catalogue where it is defined and
translated later, where it is shown (`_(label)` in a template)."""


def N_(text: str) -> str:
    return text
