"""Identifier types that validate their check digits on construction.

GSRN and GLN (GS1 mod-10), Swedish personnummer / samordningsnummer and organisationsnummer
(Luhn), Norwegian fødselsnummer / D-nummer and organisasjonsnummer (mod-11).

Each type is a ``str`` subclass usable directly as a pydantic field type. Personal and
organisation numbers mask themselves in ``str()``, ``repr()`` and f-strings (``19xxxxxx-xx42``):
the full value is available only through :meth:`MaskedIdentifier.reveal` and in JSON
serialisation (``model_dump(mode="json")``), because the wire needs it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, ClassVar, Self

from pydantic import Discriminator, GetCoreSchemaHandler, GetJsonSchemaHandler, Tag
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

NO_FNR_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
NO_FNR_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
NO_ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


class IdentifierError(ValueError):
    """An identifier broke a rule. ``kind`` names the identifier, the message names the rule."""

    def __init__(self, kind: str, rule: str) -> None:
        super().__init__(f"{kind} {rule}")
        self.kind = kind
        self.rule = rule


# ---------------------------------------------------------------- pure check-digit helpers


def gs1_check_digit(body: str) -> int:
    """GS1 mod-10: weights 3,1,3,... from the rightmost body digit leftwards."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def luhn_check_digit(body: str) -> int:
    """The Luhn digit that completes ``body`` (weights 2,1,2,... from the right of the body)."""
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10


def luhn_ok(digits: str) -> bool:
    """Whether ``digits`` (all digits, check digit last) passes the Luhn test."""
    if len(digits) < 2 or not digits.isdigit():
        return False
    return luhn_check_digit(digits[:-1]) == int(digits[-1])


def mod11_check_digit(body: str, weights: Sequence[int]) -> int | None:
    """Mod-11 control digit of ``body`` with ``weights``; None when the remainder gives 10,
    which means no valid number has this body."""
    if len(body) != len(weights):
        raise ValueError(f"mod-11 body has {len(body)} digits, weights {len(weights)}")
    remainder = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else check


# ---------------------------------------------------------------- base classes


class Identifier(str):
    """A validated identifier string. Subclasses implement :meth:`_normalise`."""

    kind: ClassVar[str] = "identifier"
    pattern: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def __new__(cls, value: object) -> Self:
        if isinstance(value, Identifier):
            value = value.reveal()
        if not isinstance(value, str):
            raise IdentifierError(cls.kind, f"must be a string, got {type(value).__name__}")
        return super().__new__(cls, cls._normalise(value.strip()))

    @classmethod
    def _normalise(cls, value: str) -> str:
        raise NotImplementedError

    def reveal(self) -> str:
        """The full value as a plain ``str``."""
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            cls,
            core_schema.str_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(
                _reveal, when_used="json"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(pattern=cls.pattern, description=cls.description)
        return json_schema


def _reveal(value: Identifier) -> str:
    return value.reveal()


class MaskedIdentifier(Identifier):
    """An identifier that is personal data (or treated as such): masked wherever it is shown."""

    def masked(self) -> str:
        return mask_digits(self.reveal())

    def __str__(self) -> str:
        return self.masked()

    def __format__(self, spec: str) -> str:
        return format(self.masked(), spec)


def mask_digits(value: str, head: int = 2, tail: int = 2) -> str:
    """Replace every digit but the first ``head`` and last ``tail`` with ``x``; keep separators."""
    positions = [i for i, ch in enumerate(value) if ch.isdigit()]
    hidden = set(positions[head : len(positions) - tail])
    return "".join("x" if i in hidden else ch for i, ch in enumerate(value))


def _digits(kind: str, value: str, lengths: tuple[int, ...]) -> str:
    if not value.isdigit():
        raise IdentifierError(kind, "must contain only digits")
    if len(value) not in lengths:
        wanted = " or ".join(str(n) for n in lengths)
        raise IdentifierError(kind, f"must be {wanted} digits, got {len(value)}")
    return value


# ---------------------------------------------------------------- GS1


class Gsrn(Identifier):
    """Global Service Relation Number: 18 digits, GS1 mod-10 check digit (EAN/facility id)."""

    kind = "GSRN"
    pattern = r"^\d{18}$"
    description = "GSRN: 18 digits, GS1 mod-10 check digit"

    @classmethod
    def _normalise(cls, value: str) -> str:
        return _gs1(cls.kind, value, 18)


class Anlaggningsid(Gsrn):
    """Swedish anläggnings-id: a GSRN that starts with 735999 (Energimyndigheten; Ediel)."""

    kind = "anläggnings-id"
    pattern = r"^735999\d{12}$"
    description = "anläggnings-id: 18 digits starting 735999, GS1 mod-10 check digit"

    @classmethod
    def _normalise(cls, value: str) -> str:
        value = _gs1(cls.kind, value, 18)
        if not value.startswith("735999"):
            raise IdentifierError(cls.kind, f"must start with 735999, got {value[:6]}")
        return value


class Gln(Identifier):
    """Global Location Number: 13 digits, GS1 mod-10 check digit (market party id)."""

    kind = "GLN"
    pattern = r"^\d{13}$"
    description = "GLN: 13 digits, GS1 mod-10 check digit"

    @classmethod
    def _normalise(cls, value: str) -> str:
        return _gs1(cls.kind, value, 13)


def _gs1(kind: str, value: str, length: int) -> str:
    _digits(kind, value, (length,))
    expected = gs1_check_digit(value[:-1])
    if expected != int(value[-1]):
        raise IdentifierError(kind, f"check digit is {value[-1]}, expected {expected}")
    return value


# ---------------------------------------------------------------- Sweden

_SE_PNR = re.compile(r"^(\d{8}|\d{6})([-+]?)(\d{4})$")


class SePersonnummer(MaskedIdentifier):
    """Swedish personnummer or samordningsnummer (day + 60).

    Accepted: ``YYMMDD-NNNC``, ``YYMMDD+NNNC`` (100 years or older), ``YYMMDDNNNC``,
    ``YYYYMMDDNNNC`` and ``YYYYMMDD-NNNC``. Stored as ``YYMMDD-NNNC`` (separator kept) or
    ``YYYYMMDDNNNC``; the century of a 10-digit form is never guessed.
    """

    kind = "personnummer"
    pattern = r"^(\d{6}[-+]?|\d{8}-?)\d{4}$"
    description = "Swedish personnummer/samordningsnummer, Luhn check digit (personal data)"

    @classmethod
    def _normalise(cls, value: str) -> str:
        match = _SE_PNR.match(value)
        if match is None:
            raise IdentifierError(cls.kind, "must be YYMMDD-NNNC or YYYYMMDDNNNC")
        birth, sep, tail = match.groups()
        if len(birth) == 8 and sep == "+":
            raise IdentifierError(cls.kind, "'+' is only used with the 10-digit form")
        _check_se_birth_date(cls.kind, birth)
        ten = birth[-6:] + tail
        if not luhn_ok(ten):
            expected = luhn_check_digit(ten[:-1])
            raise IdentifierError(cls.kind, f"check digit is {ten[-1]}, expected {expected}")
        return birth + tail if len(birth) == 8 else birth + (sep or "-") + tail

    @property
    def is_coordination_number(self) -> bool:
        """Samordningsnummer: the day of birth is written plus 60."""
        digits = self.reveal().replace("-", "").replace("+", "")
        return int(digits[-6:-4]) > 60

    def masked(self) -> str:
        raw = self.reveal()
        if len(raw) == 12:
            return mask_digits(raw[:8] + "-" + raw[8:])
        return mask_digits(raw)


def _check_se_birth_date(kind: str, birth: str) -> None:
    month, day = int(birth[-4:-2]), int(birth[-2:])
    if day > 60:
        day -= 60
    if len(birth) == 8 and birth[:2] not in ("18", "19", "20"):
        raise IdentifierError(kind, f"century {birth[:2]} is not 18, 19 or 20")
    centuries = [int(birth[:2])] if len(birth) == 8 else [18, 19, 20]
    year2 = int(birth[-6:-4])
    if not any(_is_date(c * 100 + year2, month, day) for c in centuries):
        raise IdentifierError(kind, f"birth date {birth[-4:-2]}-{birth[-2:]} is not a date")


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


_SE_ORG = re.compile(r"^(\d{6})-?(\d{4})$")


class SeOrgnummer(MaskedIdentifier):
    """Swedish organisationsnummer ``NNNNNN-NNNN``: Luhn, third digit at least 2."""

    kind = "organisationsnummer"
    pattern = r"^\d{6}-?\d{4}$"
    description = "Swedish organisationsnummer NNNNNN-NNNN, Luhn check digit"

    @classmethod
    def _normalise(cls, value: str) -> str:
        match = _SE_ORG.match(value)
        if match is None:
            raise IdentifierError(cls.kind, "must be NNNNNN-NNNN (10 digits)")
        digits = match.group(1) + match.group(2)
        if int(digits[2]) < 2:
            raise IdentifierError(cls.kind, f"third digit is {digits[2]}, must be 2 or more")
        if not luhn_ok(digits):
            expected = luhn_check_digit(digits[:-1])
            raise IdentifierError(cls.kind, f"check digit is {digits[-1]}, expected {expected}")
        return digits[:6] + "-" + digits[6:]


# ---------------------------------------------------------------- Norway


class NoFodselsnummer(MaskedIdentifier):
    """Norwegian fødselsnummer or D-nummer (first digit + 4): 11 digits, two mod-11 digits."""

    kind = "fødselsnummer"
    pattern = r"^\d{11}$"
    description = "Norwegian fødselsnummer/D-nummer, two mod-11 control digits (personal data)"

    @classmethod
    def _normalise(cls, value: str) -> str:
        digits = _digits(cls.kind, value.replace(" ", ""), (11,))
        day, month = int(digits[:2]), int(digits[2:4])
        if day > 40:  # D-nummer
            day -= 40
        if not (1 <= day <= 31 and 1 <= month <= 12):
            raise IdentifierError(cls.kind, f"birth date {digits[:2]}.{digits[2:4]} is not a date")
        for position, weights in ((9, NO_FNR_WEIGHTS_1), (10, NO_FNR_WEIGHTS_2)):
            expected = mod11_check_digit(digits[:position], weights)
            if expected is None:
                raise IdentifierError(cls.kind, f"control digit {position - 8} cannot be 10")
            if expected != int(digits[position]):
                raise IdentifierError(
                    cls.kind,
                    f"control digit {position - 8} is {digits[position]}, expected {expected}",
                )
        return digits

    @property
    def is_d_number(self) -> bool:
        return int(self.reveal()[0]) >= 4


class NoOrgnummer(MaskedIdentifier):
    """Norwegian organisasjonsnummer: 9 digits, mod-11 weights 3,2,7,6,5,4,3,2."""

    kind = "organisasjonsnummer"
    pattern = r"^\d{9}$"
    description = "Norwegian organisasjonsnummer, 9 digits, mod-11 control digit"

    @classmethod
    def _normalise(cls, value: str) -> str:
        digits = _digits(cls.kind, value.replace(" ", ""), (9,))
        expected = mod11_check_digit(digits[:8], NO_ORG_WEIGHTS)
        if expected is None:
            raise IdentifierError(cls.kind, "control digit cannot be 10")
        if expected != int(digits[8]):
            raise IdentifierError(cls.kind, f"control digit is {digits[8]}, expected {expected}")
        return digits


# ---------------------------------------------------------------- per-country unions


def _digit_count(value: Any) -> int:
    text = value.reveal() if isinstance(value, Identifier) else str(value)
    return sum(ch.isdigit() for ch in text)


def _personal_tag(value: Any) -> str:
    return "NO" if _digit_count(value) == 11 else "SE"


def _organisation_tag(value: Any) -> str:
    return "NO" if _digit_count(value) == 9 else "SE"


PersonalNumber = Annotated[
    Annotated[SePersonnummer, Tag("SE")] | Annotated[NoFodselsnummer, Tag("NO")],
    Discriminator(_personal_tag),
]
"""A Swedish personnummer or a Norwegian fødselsnummer, told apart by length (11 = NO)."""

OrganisationNumber = Annotated[
    Annotated[SeOrgnummer, Tag("SE")] | Annotated[NoOrgnummer, Tag("NO")],
    Discriminator(_organisation_tag),
]
"""A Swedish organisationsnummer or a Norwegian organisasjonsnummer (9 digits = NO)."""


def country_of(identifier: Identifier) -> str:
    """``SE`` or ``NO`` for a national identifier."""
    if isinstance(identifier, SePersonnummer | SeOrgnummer):
        return "SE"
    if isinstance(identifier, NoFodselsnummer | NoOrgnummer):
        return "NO"
    raise ValueError(f"{type(identifier).__name__} has no country")

