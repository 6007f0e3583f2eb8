"""One masking function for personal numbers in every form people write them: a property test
over generated Swedish personnummer/samordningsnummer and Norwegian fødselsnummer/D-nummer,
each written with no separator, a space, -, an en dash, . or /, with and without century."""

from __future__ import annotations

from datetime import date

from hypothesis import assume, given
from hypothesis import strategies as st

from schemas.identifiers import (
    NO_FNR_WEIGHTS_1,
    NO_FNR_WEIGHTS_2,
    luhn_check_digit,
    mask_digits,
    mod11_check_digit,
)
from schemas.masking import mask_personal_numbers

WRITTEN_SEPARATORS = ["", " ", "-", "\u2013", ".", "/"]
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))
# Text around the number: anything but a digit right next to it (then it is another number).
around = st.text(st.characters(blacklist_categories=["Nd"]), max_size=12)


@st.composite
def swedish(draw: st.DrawFn) -> tuple[str, str]:
    """(the number as written, its 10 digits), personnummer or samordningsnummer."""
    born = draw(births)
    day = born.day + (60 if draw(st.booleans()) else 0)
    body = f"{born:%y%m}{day:02d}{draw(st.integers(0, 999)):03d}"
    ten = body + str(luhn_check_digit(body))
    century = f"{born.year // 100}" if draw(st.booleans()) else ""
    sep = draw(st.sampled_from(WRITTEN_SEPARATORS))
    return f"{century}{ten[:6]}{sep}{ten[6:]}", ten


@st.composite
def norwegian(draw: st.DrawFn) -> tuple[str, str]:
    """(the number as written, its 11 digits), fødselsnummer or D-nummer (day + 40)."""
    born = draw(births)
    day = born.day + (40 if draw(st.booleans()) else 0)
    nine = f"{day:02d}{born:%m%y}{draw(st.integers(0, 999)):03d}"
    first = mod11_check_digit(nine, NO_FNR_WEIGHTS_1)
    assume(first is not None)
    second = mod11_check_digit(nine + str(first), NO_FNR_WEIGHTS_2)
    assume(second is not None)
    eleven = f"{nine}{first}{second}"
    sep = draw(st.sampled_from(WRITTEN_SEPARATORS))
    return f"{eleven[:6]}{sep}{eleven[6:]}", eleven


@given(st.one_of(swedish(), norwegian()), around, around)
def test_every_written_form_is_masked_in_place(number, before, after):
    written, digits = number
    text = f"{before}{written}{after}"
    masked = mask_personal_numbers(text)
    assert masked == f"{before}{mask_digits(written)}{after}"
    shown = "".join(ch for ch in masked if ch.isdigit())
    assert digits[2:-2] not in shown  # the middle digits are gone whatever the form


@given(st.one_of(swedish(), norwegian()))
def test_two_numbers_in_one_note_are_both_masked(number):
    written, _ = number
    text = f"owner {written}, payer 821208 6964."
    assert mask_personal_numbers(text) == f"owner {mask_digits(written)}, payer 82xxxx xx64."


def test_the_forms_of_the_review_are_masked():
    for written, shown in [("821208 6964", "82xxxx xx64"), ("821208-6964", "82xxxx-xx64"),
                           ("821208\u20136964", "82xxxx\u2013xx64"), ("821208.6964", "82xxxx.xx64"),
                           ("821208/6964", "82xxxx/xx64"), ("091053 16574", "09xxxx xxx74"),
                           ("091053-16574", "09xxxx-xxx74"), ("19821208 6964", "19xxxxxx xx64")]:
        assert mask_personal_numbers(f"note: {written}") == f"note: {shown}"


def test_numbers_that_are_not_personal_numbers_stay_readable():
    text = "GSRN 735999100000000012, order 1234567890, at 2024-03-14 08:30, id 821208 6965"
    assert mask_personal_numbers(text) == text  # the last fails Luhn
