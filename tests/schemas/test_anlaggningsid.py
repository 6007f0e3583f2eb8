"""The Swedish anläggnings-id: 18 digits, 735999 first, GS1 check digit."""

from __future__ import annotations

import pytest

from schemas.identifier_samples import make_gsrn
from schemas.identifiers import Anlaggningsid, IdentifierError


def test_reference_example_is_valid():
    assert Anlaggningsid("735999123456789018").reveal() == "735999123456789018"


def test_wrong_check_digit():
    with pytest.raises(IdentifierError, match="check digit is 1, expected 8"):
        Anlaggningsid("735999123456789011")


def test_norwegian_gsrn_is_not_an_anlaggningsid():
    norwegian = make_gsrn(3, prefix="707057").reveal()
    with pytest.raises(IdentifierError, match="must start with 735999"):
        Anlaggningsid(norwegian)


@pytest.mark.parametrize("value",
                         ["73599912345678901", "7359991234567890180", "73599912345678901X"])
def test_length_and_digits(value):
    with pytest.raises(IdentifierError):
        Anlaggningsid(value)
