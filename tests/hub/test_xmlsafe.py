import pytest

from hub.errors import InvalidMessage
from hub.xmlsafe import parse, zeep_settings

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<r>&secret;</r>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol4;</lolz>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>"""

# A DOCTYPE pushed past the quick pre-check by a long comment must still be refused.
LATE_DOCTYPE = b"<?xml version='1.0'?><!--" + b"x" * 5000 + b"--><!DOCTYPE r []><r/>"


def test_parses_plain_xml():
    root = parse(b"<a xmlns='urn:x'><b>1</b></a>")
    assert root.findtext("{urn:x}b") == "1"


@pytest.mark.parametrize("doc", [XXE, BILLION_LAUGHS, EXTERNAL_DTD, LATE_DOCTYPE],
                         ids=["xxe", "billion-laughs", "external-dtd", "late-doctype"])
def test_refuses_doctype_entities_and_dtds(doc):
    with pytest.raises(InvalidMessage, match="DOCTYPE") as info:
        parse(doc, where="kis answer")
    assert "kis answer" in str(info.value)


def test_malformed_xml_names_line():
    with pytest.raises(InvalidMessage, match=r"malformed XML.*line 2"):
        parse(b"<a>\n<b></a>")


def test_size_is_bounded():
    with pytest.raises(InvalidMessage, match="more than the limit"):
        parse(b"<a>" + b"x" * 2000 + b"</a>", max_bytes=1000)


def test_zeep_settings_forbid_dtd_entities_external():
    s = zeep_settings()
    assert s.forbid_dtd and s.forbid_entities and s.forbid_external and not s.xml_huge_tree
