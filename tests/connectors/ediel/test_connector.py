"""The connector against a real SMTP server on loopback and a real gateway directory: values out
as UTILTS, PRODAT in answered with CONTRL and APERAK after it is stored and published, broken
interchanges dead-lettered whole with a negative CONTRL, acknowledgements to what we sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.ediel import EdielConnector, acks, syntax
from hub.errors import InvalidMessage, TargetRejected, TargetUnavailable
from schemas.envelope import Envelope
from schemas.identifier_samples import make_gsrn
from tests.connectors.ediel.conftest import sample

GSRN = make_gsrn(7).reveal()


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.published: list[Envelope] = []
        self.fail = fail

    def publish(self, messages):
        if self.fail:
            raise TargetUnavailable("broker down")
        self.published.extend(messages)


def _connector(tmp_path, port, inbound=None, **extra):
    settings = {"grid_owners": [{"name": "Nätbolaget", "ediel_id": "54321",
                                 "grid_areas": ["XYZ"]}],
                "addresses": {"12345": "12345@ediel.test"}, "smtp_port": port,
                "inbox": str(tmp_path / "inbox"), "archive": str(tmp_path / "archive"),
                "poll_interval": 0, "suppliers": {GSRN: "12345"}, **extra}
    return EdielConnector(settings, inbound or Recorder())


def _values(case_id="c-1", count=96):
    observations = [{"position": i, "quantity": "0.25", "quality": "measured"}
                    for i in range(1, count + 1)]
    observations[7]["quality"] = "estimated"
    payload = {"gsrn": GSRN, "day": "2026-10-14", "resolution": "PT15M",
               "observations": observations}
    return Envelope(case_id=case_id, type="meteringvalues.collected", source="metering",
                    payload=payload)


def test_a_day_of_quarter_hours_goes_out_as_one_utilts_mail(tmp_path, smtp):
    box, port = smtp
    connector = _connector(tmp_path, port)
    assert connector.deliver(_values()) == []
    [mail] = box.mails
    assert mail["To"] == "12345@ediel.test" and mail["Subject"].startswith("UTILTS 54321 12345")
    [raw] = box.interchanges()
    ic = syntax.read(raw)
    assert ic.application_reference == "23-DDQ-E66-T" and ic.ack_requested
    segments = [(s.tag, s.elements) for s in ic.messages[0].segments]
    dtms = [e[0] for t, e in segments if t == "DTM"]
    assert ["324", "202610140000202610150000", "719"] in dtms  # 00:00-24:00 at UTC+01:00
    assert ["735", "+0100", "406"] in dtms and ["354", "15", "806"] in dtms
    assert b"DTM+735:?+0100:406'" in raw
    assert [e for t, e in segments if t == "SEQ"][-1] == ["", "96"]
    assert ("STS", ["8", "56"]) in segments


def test_a_dst_length_day_is_refused_naming_normal_time(tmp_path, smtp):
    _, port = smtp
    with pytest.raises(InvalidMessage, match="normal time") as caught:
        _connector(tmp_path, port).deliver(_values(count=92))
    assert caught.value.where == "payload.observations"


def test_no_supplier_known_is_a_permanent_error(tmp_path, smtp):
    _, port = smtp
    with pytest.raises(InvalidMessage, match="no supplier known"):
        _connector(tmp_path, port, suppliers={}).deliver(_values())


def test_mail_server_down_is_transient(tmp_path):
    connector = _connector(tmp_path, 1)  # nothing listens on port 1
    with pytest.raises(TargetUnavailable):
        connector.deliver(_values())


def _drop(tmp_path, name, raw):
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    (inbox / name).write_bytes(raw)


def test_prodat_z03_published_then_answered_with_contrl_and_aperak(tmp_path, smtp):
    box, port = smtp
    hub = Recorder()
    connector = _connector(tmp_path, port, hub)
    _drop(tmp_path, "z03.edi", sample("prodat_z03"))
    assert connector.poll_once() == 1
    [notified] = hub.published
    assert notified.type == "supply.start.notified" and notified.case_id == "SUP-CASE-000123"
    assert notified.payload["reason"] == "switch" and notified.payload["supplier"] == "12345"
    contrl, aperak = (syntax.read(r) for r in box.interchanges())
    assert contrl.messages[0].type == "CONTRL"
    assert contrl.messages[0].segments[0].elements[0] == "SUP2610010001"
    assert contrl.messages[0].segments[0].elements[3] == "1"
    assert [s.elements for s in aperak.messages[0].all("ERC")] == [[["100", "", "260"]]]
    assert (tmp_path / "archive" / "z03.edi").read_bytes() == sample("prodat_z03")
    assert not (tmp_path / "inbox" / "z03.edi").exists()


def test_nothing_is_acknowledged_before_the_hub_has_it(tmp_path, smtp):
    box, port = smtp
    connector = _connector(tmp_path, port, Recorder(fail=True))
    _drop(tmp_path, "z03.edi", sample("prodat_z03"))
    with pytest.raises(TargetUnavailable):
        connector.poll_once()
    assert box.mails == []
    assert (tmp_path / "inbox" / "z03.edi").exists()  # read again next round
    assert (tmp_path / "archive" / "z03.edi").exists()  # but stored whole already


def test_wrong_counts_dead_letter_the_raw_interchange_and_negative_contrl(tmp_path, smtp):
    box, port = smtp
    hub = Recorder()
    connector = _connector(tmp_path, port, hub)
    raw = sample("prodat_z03").replace(b"UNT+18+1", b"UNT+17+1")
    _drop(tmp_path, "bad.edi", raw)
    connector.poll_once()
    [rejected] = hub.published
    assert rejected.type == "market.interchange.rejected"
    assert rejected.payload["raw"].encode("iso-8859-1") == raw
    assert rejected.payload["syntax_error_code"] == "29"
    [contrl] = (syntax.read(r) for r in box.interchanges())
    uci = contrl.messages[0].segments[0].elements
    assert uci[3] == "4" and uci[4] == "29"
    with pytest.raises(InvalidMessage, match="UNT counts"):
        connector.deliver(rejected)  # into the dead-letter store, whole


def test_garbage_is_dead_lettered_without_an_answer(tmp_path, smtp):
    box, port = smtp
    hub = Recorder()
    connector = _connector(tmp_path, port, hub)
    _drop(tmp_path, "junk.edi", b"\x00\x01 not edifact")
    connector.poll_once()
    assert [m.type for m in hub.published] == ["market.interchange.rejected"]
    assert box.mails == []


def test_prodat_breaking_the_guide_gets_a_negative_aperak(tmp_path, smtp):
    box, port = smtp
    hub = Recorder()
    connector = _connector(tmp_path, port, hub)
    raw = sample("prodat_z03").replace(b"735999123456789018", b"735999123456789011")
    _drop(tmp_path, "z03.edi", raw)
    connector.poll_once()
    assert [m.type for m in hub.published] == ["market.interchange.rejected"]
    contrl, aperak = (syntax.read(r) for r in box.interchanges())
    assert contrl.messages[0].segments[0].elements[3] == "1"  # the syntax was fine
    [erc] = aperak.messages[0].all("ERC")
    assert erc.elements[0][0] == "42"


def test_negative_aperak_to_our_values_is_a_permanent_failure_with_its_code(tmp_path, smtp):
    box, port = smtp
    hub = Recorder()
    connector = _connector(tmp_path, port, hub)
    sent = _values(case_id="case-9")
    connector.deliver(sent)
    ours = syntax.read(box.interchanges()[0])
    doc_id = ours.messages[0].segments[0].elements[1]
    answer = sample("aperak_utilts_positive").replace(
        b"GH-E66-20261015-0001", doc_id.encode()).replace(b"BGM+312", b"BGM+313").replace(
        b"ERC+100::260'FTX+AAO+++OK", b"ERC+41::260'FTX+AAO++512::260+MANDATORY FIELD MISSING")
    _drop(tmp_path, "aperak.edi", answer)
    connector.poll_once()
    [ack] = [m for m in hub.published if m.type == "market.acknowledged"]
    assert ack.case_id == "case-9" and ack.payload["status"] == "rejected"
    assert ack.payload["codes"] == ["41"] and ack.payload["original_message_id"] == \
        sent.message_id
    with pytest.raises(TargetRejected, match="APERAK 41") as caught:
        connector.deliver(ack)
    assert caught.value.remote is not None and caught.value.remote.status == "41"


def test_negative_contrl_to_our_interchange(tmp_path, smtp):
    box, port = smtp
    hub = Recorder()
    connector = _connector(tmp_path, port, hub)
    connector.deliver(_values(case_id="case-3"))
    ours = syntax.read(box.interchanges()[0])
    theirs = syntax.Interchange(ours.recipient, ours.sender, "X1", datetime(2026, 10, 15, 7))
    negative = acks.contrl(ours, reference="SUP1", now=datetime.now(UTC), error_code="29")
    negative.sender, negative.recipient = theirs.sender, theirs.recipient
    _drop(tmp_path, "contrl.edi", syntax.write(negative))
    connector.poll_once()
    [ack] = hub.published
    assert (ack.payload["kind"], ack.payload["status"], ack.payload["codes"]) == \
        ("contrl", "rejected", ["29"])


def test_missing_acknowledgement_is_reported_once_past_the_deadline(tmp_path, smtp):
    _, port = smtp
    hub = Recorder()
    connector = _connector(tmp_path, port, hub)
    sent = _values(case_id="case-5")
    connector.deliver(sent)
    assert connector.sent.overdue(datetime.now(UTC)) == []
    later = datetime.now(UTC) + timedelta(minutes=31)
    [missing] = connector.sent.overdue(later)
    assert missing.payload["status"] == "missing" and missing.case_id == "case-5"
    assert connector.sent.overdue(later + timedelta(hours=1)) == []
    with pytest.raises(TargetRejected, match="no APERAK"):
        connector.deliver(missing)


def test_acknowledgement_accepted_is_nothing_to_do(tmp_path, smtp):
    _, port = smtp
    ok = Envelope(case_id="c", type="market.acknowledged", source="ediel",
                  payload={"kind": "aperak", "status": "accepted", "original_message_id": "m",
                           "interchange_reference": "R1"})
    assert _connector(tmp_path, port).deliver(ok) == []


def test_interchange_to_another_recipient_gets_negative_contrl(tmp_path, smtp):
    box, port = smtp
    hub = Recorder()
    connector = _connector(tmp_path, port, hub)
    _drop(tmp_path, "z03.edi", sample("prodat_z03").replace(b"+54321:ZZ+", b"+99999:ZZ+"))
    connector.poll_once()
    assert [m.type for m in hub.published] == ["market.interchange.rejected"]
    assert box.mails == []  # not ours to answer either


def test_bad_grid_owner_configuration_names_the_entry(tmp_path):
    from hub.errors import ConfigurationError
    with pytest.raises(ConfigurationError) as caught:
        EdielConnector({"grid_owners": [{"ediel_id": "1234", "grid_areas": ["XYZ"]}]},
                       Recorder())
    assert caught.value.where == "connectors.ediel.settings.grid_owners[0].ediel_id"
