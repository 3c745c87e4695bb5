"""The English catalog, recording which entries a test had said: to show that the
tests read every sentence, and so every translation of it."""

from __future__ import annotations

from babel.support import NullTranslations


class Recording(NullTranslations):
    """The English source, noting every entry it is asked for."""

    def __init__(self):
        super().__init__()
        self.said: set[str] = set()

    def upgettext(self, context, message):
        self.said.add(context)
        return super().upgettext(context, message)

    def unpgettext(self, context, singular, plural, count):
        self.said.add(context)
        return super().unpgettext(context, singular, plural, count)
