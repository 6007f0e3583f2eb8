r"""The one function that masks personal numbers inside free text: the logs, the ops web, the
JSON API and the CLI all call :func:`mask_personal_numbers` (seed 001: personal numbers are
shown only to those who need them).

People write the numbers in many ways: ``8212086964``, ``821208-6964``, ``821208 6964``,
``821208\u20136964`` (an en dash from a word processor), ``821208.6964``, ``821208/6964``,
``19821208-6964``; Norwegian ``09105316574`` or ``091053 16574``. A candidate is a digit run of
the right shape with at most one such separator between the birth date and the rest, not
inside a longer digit run; it is masked only when it is a valid number (date and check
digits), so GSRNs, GLNs, order numbers and timestamps stay readable. The written form is kept:
only the digits between the first two and the last two become ``x``.
"""

from __future__ import annotations

import re

from schemas.identifiers import NoFodselsnummer, SePersonnummer, mask_digits

# Between the birth date and the rest: nothing, or one of - + space . / en dash, em dash,
# minus sign, no-break space (what editors and spreadsheets turn a hyphen or space into).
SEPARATORS = "-+ ./\u2013\u2014\u2212\u00a0"
_SEP = f"[{re.escape(SEPARATORS)}]?"
# Swedish: YYMMDD or YYYYMMDD, then four digits. Norwegian: DDMMYY, then five digits.
_SE = re.compile(rf"(?<!\d)(\d{{8}}|\d{{6}})({_SEP})(\d{{4}})(?!\d)")
_NO = re.compile(rf"(?<!\d)(\d{{6}})({_SEP})(\d{{5}})(?!\d)")


def mask_personal_numbers(text: str) -> str:
    """``text`` with every valid Swedish personnummer/samordningsnummer and Norwegian
    fødselsnummer/D-nummer masked in the form it is written (``821208-6964`` ->
    ``82xxxx-xx64``)."""
    text = _SE.sub(_masked_se, text)
    return _NO.sub(_masked_no, text)


def _masked_se(match: re.Match[str]) -> str:
    birth, sep, tail = match.groups()
    # The identifier checks date and Luhn; it knows only "-", "+" or nothing as separator.
    canonical = birth + ("+" if sep == "+" and len(birth) == 6 else "-") + tail
    return _masked_if(SePersonnummer, canonical, match.group())


def _masked_no(match: re.Match[str]) -> str:
    birth, _sep, tail = match.groups()
    return _masked_if(NoFodselsnummer, birth + tail, match.group())


def _masked_if(kind: type[SePersonnummer] | type[NoFodselsnummer], canonical: str,
               written: str) -> str:
    try:
        kind(canonical)
    except ValueError:
        return written
    return mask_digits(written)
