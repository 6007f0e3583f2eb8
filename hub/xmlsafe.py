"""The one hardened XML parser factory. Every XML input in gridhub is parsed through here.

The parser resolves no entities, loads no DTD, never touches the network, refuses any
document with a DOCTYPE (the carrier of XXE and entity-expansion bombs), and bounds the size
of what it will read. zeep clients use :func:`zeep_settings` for the same rules.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from hub.errors import InvalidMessage

MAX_XML_BYTES = 10 * 1024 * 1024  # a day of 15-minute values for one metering point is ~20 KB


def parser() -> etree.XMLParser:
    """A new parser with every dangerous feature off (parsers are not thread-safe: one each)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse(data: bytes | str, *, where: str = "document",
          max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Parse ``data`` safely; any problem is an InvalidMessage naming where and why."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise InvalidMessage(f"XML is {len(raw)} bytes, more than the limit of {max_bytes}",
                             where=where)
    # Refuse early, before lxml sees it; the docinfo check below catches a DOCTYPE further in.
    if b"<!doctype" in raw[:4096].lower():
        raise InvalidMessage("XML with a DOCTYPE or entity declaration is refused "
                             "(no DTDs, no entities)", where=where)
    try:
        root = etree.fromstring(raw, parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidMessage(f"malformed XML: {exc.msg} (line {exc.lineno})",
                             where=where) from exc
    if root.getroottree().docinfo.doctype:
        raise InvalidMessage("XML with a DOCTYPE is refused", where=where)
    return root


def zeep_settings(**overrides: Any) -> Any:
    """zeep Settings that forbid DTDs, entities and external references."""
    from zeep import Settings

    options: dict[str, Any] = {"strict": True, "xml_huge_tree": False,
                               "forbid_dtd": True, "forbid_entities": True,
                               "forbid_external": True}
    options.update(overrides)
    return Settings(**options)
