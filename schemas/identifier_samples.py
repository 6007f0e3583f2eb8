"""Deterministic, valid identifiers for fixtures, the demo and benchmarks.

Every value passes its type's check digits; the same seed gives the same value.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from schemas.identifiers import (
    NO_FNR_WEIGHTS_1,
    NO_FNR_WEIGHTS_2,
    NO_ORG_WEIGHTS,
    Gln,
    Gsrn,
    NoFodselsnummer,
    NoOrgnummer,
    SeOrgnummer,
    SePersonnummer,
    gs1_check_digit,
    luhn_check_digit,
    mod11_check_digit,
)


def make_gsrn(seed: int, prefix: str = "735999") -> Gsrn:
    """A valid GSRN starting with ``prefix`` (735999 Sweden, 707057 Norway)."""
    return Gsrn(_gs1_complete(seed, prefix, 18))


def make_gln(seed: int, prefix: str = "735999") -> Gln:
    return Gln(_gs1_complete(seed, prefix, 13))


def _gs1_complete(seed: int, prefix: str, length: int) -> str:
    rng = random.Random(f"gs1/{length}/{seed}")
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - 1 - len(prefix)))
    return body + str(gs1_check_digit(body))


def make_personnummer(
    seed: int, *, long_form: bool = False, coordination: bool = False
) -> SePersonnummer:
    """A valid Swedish personnummer born 1940-2005 (samordningsnummer when ``coordination``)."""
    rng = random.Random(f"se-pnr/{seed}")
    born = date(rng.randrange(1940, 2006), rng.randrange(1, 13), rng.randrange(1, 29))
    day = born.day + (60 if coordination else 0)
    body = f"{born:%y%m}{day:02d}{rng.randrange(1000):03d}"
    check = luhn_check_digit(body)
    if long_form:
        return SePersonnummer(f"{born.year // 100}{body}{check}")
    return SePersonnummer(f"{body[:6]}-{body[6:]}{check}")


def make_orgnummer(seed: int) -> SeOrgnummer:
    """A valid Swedish organisationsnummer (aktiebolag style, 55xxxx-xxxx)."""
    rng = random.Random(f"se-org/{seed}")
    body = "55" + str(rng.randrange(2, 10)) + "".join(str(rng.randrange(10)) for _ in range(6))
    return SeOrgnummer(f"{body[:6]}-{body[6:]}{luhn_check_digit(body)}")


def make_fodselsnummer(seed: int, *, d_number: bool = False) -> NoFodselsnummer:
    """A valid Norwegian fødselsnummer (or D-nummer) born 1940-1999."""
    return NoFodselsnummer(_mod11_retry(seed, "no-fnr", lambda rng: _fnr_candidate(rng, d_number)))


def make_no_orgnummer(seed: int) -> NoOrgnummer:
    """A valid Norwegian organisasjonsnummer starting with 9."""

    def candidate(rng: random.Random) -> str | None:
        body = "9" + "".join(str(rng.randrange(10)) for _ in range(7))
        check = mod11_check_digit(body, NO_ORG_WEIGHTS)
        return None if check is None else body + str(check)

    return NoOrgnummer(_mod11_retry(seed, "no-org", candidate))


def _fnr_candidate(rng: random.Random, d_number: bool) -> str | None:
    born = date(rng.randrange(1940, 2000), rng.randrange(1, 13), rng.randrange(1, 29))
    day = born.day + (40 if d_number else 0)
    body = f"{day:02d}{born:%m%y}{rng.randrange(0, 500):03d}"  # 000-499: born 1900-1999
    k1 = mod11_check_digit(body, NO_FNR_WEIGHTS_1)
    if k1 is None:
        return None
    k2 = mod11_check_digit(body + str(k1), NO_FNR_WEIGHTS_2)
    return None if k2 is None else f"{body}{k1}{k2}"


def _mod11_retry(seed: int, name: str, candidate: Callable[[random.Random], str | None]) -> str:
    # About one body in eleven has no valid control digit; draw again from the same stream.
    rng = random.Random(f"{name}/{seed}")
    while True:
        value = candidate(rng)
        if value is not None:
            return value
