"""Nothing acknowledged that is not kept: every polled document stored whole before the poll
ack, the ones that cannot be translated as dead letters with their raw XML, replayable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from connectors.elhub import ElhubConnector, acknowledgement, documents, emif, values
from connectors.elhub.polling import POLL_MARKET, POLL_METERING
from connectors.elhub.simulator import ElhubSimulator
from hub import codec
from hub.errors import ConfigurationError, InvalidMessage
from hub.intake import BATCH, ROOT, WIRE, Intake, Received
from hub.ops.replay import replay
from hub.ops.selection import Selection
from hub.publisher import Outgoing
from hub.store import Store
from hub.store import inbound as kept_rows
from hub.topology import HUB_KEY, topology_for
from schemas.envelope import Envelope
from tests.connectors.elhub.conftest import (
    KeyPair,
    RecordingInbound,
    settings_for,
    start_simulator,
    wait_until,
)
from tests.connectors.elhub.test_documents import collected
from tests.hub.ops.conftest import cli_env, gridhub_group
from tests.support.hubrun import routes_yaml, running_hub
from tests.support.hubrun import settings_for as hub_settings_for
from tests.support.sink import Sink

ELHUB_GLN, OUR_GLN = "7080010001009", "7080005051019"
UNHEARD_NS = "urn:no:elhub:emif:metering:UnheardOf:v2"
UNHEARD_ID = "7d9e4c1a-0b2f-4c3d-9e8f-a1b2c3d4e5f6"
ACK_ID = "5b0f7a3e-2c1d-4e6f-8a9b-0c1d2e3f4a5b"


@pytest.fixture
def poll_simulator(keypair: KeyPair) -> Iterator[ElhubSimulator]:
    sim = start_simulator(keypair, ack_mode="poll")
    yield sim
    sim.stop()


@pytest.fixture
def poll_connector(poll_simulator: ElhubSimulator, keypair: KeyPair,
                   inbound: RecordingInbound) -> ElhubConnector:
    return ElhubConnector(settings_for(poll_simulator, keypair, timeout=2,
                                       poll_interval=0.1), inbound)


def unheard() -> bytes:
    """A document of a kind gridhub has no mapping for (yet)."""
    return (f'<UnheardOf xmlns="{UNHEARD_NS}" xmlns:abie="{emif.ABIE}"><Header>'
            f'<abie:Identification>{UNHEARD_ID}</abie:Identification></Header>'
            f'</UnheardOf>').encode()


def malformed() -> bytes:
    """A CollectedData that breaks the contract: its ProcessEnergyContext is missing."""
    document = values.to_document(collected("2024-03-14"), sender=ELHUB_GLN, recipient=OUR_GLN)
    context = document.find(emif.tag("cd", "ProcessEnergyContext"))
    assert context is not None
    document.remove(context)
    return etree.tostring(document)


def c14n(document: bytes) -> bytes:
    return etree.tostring(etree.fromstring(document), method="c14n", exclusive=True)


def mixed_poll(sim: ElhubSimulator) -> list[bytes]:
    """Queue values, an acknowledgement, an unknown and a malformed document, in this order."""
    found = [
        etree.tostring(values.to_document(collected("2024-03-12"), sender=ELHUB_GLN,
                                          recipient=OUR_GLN)),
        etree.tostring(acknowledgement.build(
            "39", "0e0bd0b6-4d1a-4a59-8f63-6c1d2b7e9a10", sender=ELHUB_GLN, recipient=OUR_GLN,
            created=datetime.now(UTC), document_id=ACK_ID, process="BRS-NO-312", role="DDM")),
        unheard(),
        malformed(),
        etree.tostring(values.to_document(collected("2024-03-13"), sender=ELHUB_GLN,
                                          recipient=OUR_GLN)),
    ]
    for document in found:
        sim.queue("metering", document)
    return found


def test_a_mixed_poll_is_accounted_for_document_by_document(
        poll_connector: ElhubConnector, poll_simulator: ElhubSimulator,
        inbound: RecordingInbound, store: Store) -> None:
    queued = mixed_poll(poll_simulator)
    poller = poll_connector.poller
    assert poller is not None
    assert poller.drain(POLL_METERING) == 3
    assert poll_simulator.hub.outstanding["metering"] is None  # acknowledged, and so ...
    with store.transaction() as tx:  # ... every document is kept, in the datahub's order
        kept = kept_rows.documents(tx.conn, "elhub")
    assert [(k["root"], k["state"], k["position"]) for k in kept] == [
        ("CollectedData", "published", 0), ("Acknowledgement", "published", 1),
        ("UnheardOf", "dead-lettered", 2), ("CollectedData", "dead-lettered", 3),
        ("CollectedData", "published", 4)]
    assert len({k["batch"] for k in kept}) == 1
    poll_id = kept[0]["batch"]
    assert [m.type for m in inbound.messages] == [
        "meteringvalues.collected", "meteringpoint.acknowledged", "meteringvalues.collected"]
    assert [m.payload.get("day") for m in inbound.messages] == ["2024-03-12", None,
                                                                "2024-03-13"]
    unknown, broken = store.dead_letters(connector="elhub")
    assert [unknown.id, broken.id] == [kept[2]["dead_letter_id"], kept[3]["dead_letter_id"]]
    for dl, raw, root in ((unknown, queued[2], "UnheardOf"), (broken, queued[3],
                                                              "CollectedData")):
        assert c14n(dl.body) == c14n(raw)  # the raw document whole
        assert dl.headers[ROOT] == root and dl.headers[BATCH] == poll_id
        assert dl.headers[WIRE] == "elhub" and dl.keys["batch"] == [poll_id]
    assert "carries no canonical message" in unknown.exception_message
    assert unknown.keys["document"] == [UNHEARD_ID]
    assert broken.exception_type == "InvalidMessage"
    assert "ProcessEnergyContext" in broken.exception_message
    assert poller.drain(POLL_METERING) == 0  # nothing left over, nothing again


def test_a_result_handed_out_again_is_not_kept_published_or_dead_lettered_twice(
        poll_connector: ElhubConnector, poll_simulator: ElhubSimulator,
        inbound: RecordingInbound, store: Store) -> None:
    mixed_poll(poll_simulator)
    poller = poll_connector.poller
    assert poller is not None
    found = poller._poll(POLL_METERING)  # a crash right after the first keep and publish ...
    assert found is not None
    poller._keep_and_publish("test", found.result_id, [poller._translate(d)
                                                       for d in found.documents])
    assert len(inbound.messages) == 3 and len(store.dead_letters()) == 2
    assert poller.drain(POLL_METERING) == 0  # ... and the datahub hands the result out again
    assert poll_simulator.hub.outstanding["metering"] is None
    assert len(inbound.messages) == 3 and len(store.dead_letters()) == 2
    with store.transaction() as tx:
        assert len(kept_rows.documents(tx.conn, "elhub")) == 5


class _Recorder:
    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def publish(self, messages: Sequence[Outgoing]) -> None:
        self.sent.extend(messages)


def test_replay_translates_a_dead_letter_again_after_the_mapping_is_fixed(
        poll_connector: ElhubConnector, poll_simulator: ElhubSimulator, store: Store,
        monkeypatch: pytest.MonkeyPatch) -> None:
    poll_simulator.queue("metering", unheard())
    assert poll_connector.poller is not None
    poll_connector.poller.drain(POLL_METERING)
    (dl,) = store.dead_letters(connector="elhub")
    assert dl.id is not None
    topology = topology_for("gridhub", "embedded://x")
    chosen = Selection(ids=(dl.id,))
    publisher = _Recorder()
    before = replay(store, publisher, topology, chosen, actor="test", reason="mapping fixed?")
    assert [i.action for i in before.items] == ["skip"] and publisher.sent == []
    assert "UnheardOf still cannot be translated" in before.items[0].why
    assert store.dead_letter(dl.id).status == "open"  # type: ignore[union-attr]

    fixed = collected("2024-03-15")  # the mapping fix: UnheardOf now carries values

    def read_unheard(document: etree._Element) -> list[Envelope]:
        assert document.findtext(f"*/{{{emif.ABIE}}}Identification") == UNHEARD_ID
        return [fixed]
    monkeypatch.setitem(documents._READERS, f"{{{UNHEARD_NS}}}UnheardOf", read_unheard)
    dry = replay(store, publisher, topology, chosen, actor="test", reason="", dry_run=True)
    assert dry.items[0].why == "translate UnheardOf again: 1 message(s) to the hub"
    after = replay(store, publisher, topology, chosen, actor="test", reason="UnheardOf mapped")
    assert after.done == {"replay": 1}
    (out,) = publisher.sent
    assert (out.exchange.name, out.routing_key) == (topology.inbound.name, HUB_KEY)
    assert codec.decode(out.body).message_id == fixed.message_id
    assert out.headers[codec.H_REPLAY_OF] == dl.id
    assert store.dead_letter(dl.id).status == "replayed"  # type: ignore[union-attr]


@pytest.mark.parametrize("point", ["kept", "published"])
def test_kill_9_between_keeping_and_acknowledging_loses_and_doubles_nothing(
        point: str, poll_simulator: ElhubSimulator, keypair: KeyPair,
        inbound: RecordingInbound, store: Store, tmp_path: Path) -> None:
    mixed_poll(poll_simulator)
    published, marker = tmp_path / "published.jsonl", tmp_path / "at-the-crash-point"
    settings = settings_for(poll_simulator, keypair, timeout=5, poll_interval=0.1)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.connectors.elhub.crash_poller", json.dumps(settings),
         str(store.url), str(published), str(marker), point],
        cwd=Path(__file__).resolve().parents[3])
    try:
        wait_until(marker.exists, timeout=60, what=f"the poller process at {point!r}")
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
    assert poll_simulator.hub.outstanding["metering"] is not None  # never acknowledged
    with store.transaction() as tx:
        assert len(kept_rows.documents(tx.conn, "elhub")) == 5  # but every document kept
    assert len(store.dead_letters()) == 2
    before = ([codec.decode(line).message_id for line in published.read_bytes().splitlines()]
              if published.exists() else [])
    assert len(before) == (3 if point == "published" else 0)

    restarted = ElhubConnector(settings, inbound)  # the next process, the next poll
    assert restarted.poller is not None
    restarted.poller.drain(POLL_METERING)
    after = [m.message_id for m in inbound.messages]
    assert poll_simulator.hub.outstanding["metering"] is None
    assert len(before + after) == len(set(before + after)) == 3  # each exactly once
    assert len(store.dead_letters()) == 2
    with store.transaction() as tx:
        states = [k["state"] for k in kept_rows.documents(tx.conn, "elhub")]
    assert states == ["published", "published", "dead-lettered", "dead-lettered",
                      "published"]


class _NoStore:
    def publish(self, messages: Sequence[Envelope]) -> None:
        raise AssertionError("nothing may be published without a place to keep documents")


def test_the_poller_refuses_to_start_without_a_store(poll_simulator: ElhubSimulator,
                                                     keypair: KeyPair) -> None:
    connector = ElhubConnector(settings_for(poll_simulator, keypair, poll_interval=0.1),
                               _NoStore())
    with pytest.raises(ConfigurationError, match="keeps every polled document") as caught:
        connector.start()
    assert caught.value.where == "connectors.elhub.poll_interval"


def test_gridhub_dlq_replay_sends_the_fixed_translation_through_the_hub(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    routes = ("  - name: values-to-alpha\n    match: {type: meteringvalues.collected}\n"
              "    to: [alpha]\n    retry: fast\n")
    with Sink() as alpha:
        settings = hub_settings_for(tmp_path, "embedded", "gridhub",
                                    routes_yaml({"alpha": alpha.url}, routes))
        with running_hub(settings) as hub:
            kept = Intake(hub.store, "elhub").keep("poll-7", [Received(
                unheard(), "UnheardOf", UNHEARD_ID, error=InvalidMessage(
                    "UnheardOf carries no canonical message", where="UnheardOf"))])
            ((_, dl_id),) = kept.dead_letters
            env = cli_env(settings)

            def gridhub(*args: str) -> Result:
                return CliRunner().invoke(gridhub_group(), list(args), env=env,
                                          catch_exceptions=False)
            listed = gridhub("dlq", "list", "--key", "poll-7")
            before = gridhub("dlq", "replay", str(dl_id), "--dry-run")
            fixed = collected("2024-03-16")
            monkeypatch.setitem(documents._READERS, f"{{{UNHEARD_NS}}}UnheardOf",
                                lambda _document: [fixed])
            dry = gridhub("dlq", "replay", str(dl_id), "--dry-run")
            done = gridhub("dlq", "replay", str(dl_id), "--reason", "UnheardOf mapped",
                           "--yes")
            wait_until(lambda: len(alpha.docs()) == 1, what="the translated values at alpha")
    assert listed.exit_code == 0 and str(dl_id) in listed.output
    assert "still cannot be translated" in before.output, before.output
    assert "translate UnheardOf again: 1 message(s) to the hub" in dry.output, dry.output
    assert done.exit_code == 0 and "1 sent" in done.output, done.output
    (delivered,) = alpha.docs()  # the hub's output for the replayed input
    assert delivered["causation_id"] == fixed.message_id
    assert delivered["payload"]["day"] == "2024-03-16"


def test_a_poll_of_every_document_kind_is_accounted_for_document_by_document(
        poll_connector: ElhubConnector, poll_simulator: ElhubSimulator,
        inbound: RecordingInbound, store: Store) -> None:
    """One document of every kind of the structure reference in one poll result (those with a
    day-to-day mapping of their own are covered above): each kept and published whole."""
    from connectors.elhub import kinds
    from connectors.elhub.structure import KINDS
    from tests.connectors.elhub.test_kinds import _minimal

    own = {"RequestUpdateMasterDataMeteringPoint", "Acknowledgement", "PollForData"}
    chosen = [k for k in KINDS if k.root not in own]
    for kind in chosen:
        document = _minimal(kind)
        process = document.find(f"{{{kind.namespace}}}ProcessEnergyContext/"
                                f"{{{emif.ABIE}}}EnergyBusinessProcess")
        assert process is not None
        process.text = "BRS-NO-311"  # not the day model's BRS-NO-313: kept whole
        poll_simulator.queue("market", etree.tostring(document))
    poller = poll_connector.poller
    assert poller is not None
    assert poller.drain(POLL_MARKET) == len(chosen)
    with store.transaction() as tx:
        kept = kept_rows.documents(tx.conn, "elhub")
    assert [(k["root"], k["state"]) for k in kept] == [(k.root, "published") for k in chosen]
    assert [m.type for m in inbound.messages] == [k.message_type for k in chosen]
    for message in inbound.messages:  # what was published writes back to a valid document
        kinds.write(message)
    assert not store.dead_letters(connector="elhub")
