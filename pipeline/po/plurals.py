"""A catalog's plural forms, and the English each form translates.

gettext shows form 0 with the msgid and every other form with the msgid_plural, but a
form that serves many numbers (Thai's only form; Filipino's first, used for 0, 1, 2, 3,
5…) must read right for the plural and keep all its placeholders: `msgfmt --check`
requires it of any form taken by five or more numbers from 0 to 1000.  The checks hold
each form to the English it so translates; import and TMX pair them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..locales import english_name, nplurals, plural_numbers

OFTEN = 5  # numbers of 0-1000 that make a form "often" used, as msgfmt counts them
ONE_FORM_PLURAL = "The English plural, for reference: msgstr[0] serves every number"


@dataclass(frozen=True)
class Plurals:
    """A catalog's plural forms, as its `Plural-Forms` header declares them."""

    count: int
    numbers: tuple[tuple[int, ...], ...]  # the numbers that take each form
    language: str

    @classmethod
    def of(cls, header: str, locale: str) -> Plurals:
        count = max(1, nplurals(header))  # a header's "nplurals=0" is no language's
        return cls(count, plural_numbers(header), english_name(locale))

    def often(self, index: int) -> bool:
        """Whether form `index` serves many numbers (without an expression to tell: every
        form but the first of several)."""
        if index < len(self.numbers):
            return len(self.numbers[index]) >= OFTEN
        return self.count == 1 or index > 0

    def answers(self, index: int, msgid: str, msgid_plural: str) -> str:
        """The English form `index` translates: the msgid only for a first form kept for
        few numbers (n = 1), else the plural."""
        return msgid if index == 0 and not self.often(0) else msgid_plural

    def note(self, index: int, plural: str) -> str:
        """What a translator needs to know of form `index`."""
        if self.count == 1:
            return (
                f"{self.language} has one plural form, used for every number: translate "
                f"it to read right for the English plural too: {plural}"
            )
        numbers = self.numbers[index][:4] if index < len(self.numbers) else ()
        text = f"Plural form {index} of {self.count} (msgstr[{index}])"
        if numbers:
            text += f": n = {', '.join(map(str, numbers))}, …"
        if index == 0 and self.often(0):
            text += f"; it serves many numbers, so it translates the plural too: {plural}"
        return text
