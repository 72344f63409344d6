"""`N_` marks a string for the translation catalogue where it is defined and
translated later, where it is shown (`_(label)` in a template); `NP_` marks one with
a plural (English has two forms, Vietnamese one), chosen by the message's `count`."""


def N_(text: str) -> str:
    return text


class Plural(str):
    """A catalogue entry with a plural form (`context`, `plural`); as a text it is the
    singular, which is also the Vietnamese for any count."""

    def __new__(cls, context: str, singular: str, plural: str):
        text = super().__new__(cls, singular)
        text.context, text.plural = context, plural
        return text


def NP_(context: str, singular: str, plural: str) -> Plural:
    return Plural(context, singular, plural)


class Message(str):
    """A text made of a catalogue entry (`template`) and its `params`: as a str the
    Vietnamese; `translated(gettext)` says it in the reader's language."""

    def __new__(cls, template: str, **params):
        text = super().__new__(cls, template % params if params else template)
        text.template, text.params = template, params
        return text

    def translated(self, gettext) -> str:
        return gettext(self.template) % self.params if self.params else gettext(self.template)


class WordedError(Exception):
    """An error whose message is a catalogue entry (`template`) filled with `params`:
    as a text it is the Vietnamese; `translated(gettext)` says it in the reader's."""

    def __init__(self, template: str, **params):
        super().__init__(template % params if params else template)
        self.template, self.params = template, params

    def translated(self, gettext) -> str:
        return gettext(self.template) % self.params if self.params else gettext(self.template)
