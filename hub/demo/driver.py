"""The scenario driver: simulators + a real hub on the shipped routes.yaml, and the people and
systems around it as actors. Used by ``gridhub demo`` and by the end-to-end flow tests.

    with running_driver(tmp_path) as d:                 # embedded broker, SQLite
        d.installer.submit(case)                        # the portal calls gridhub's SOAP
        d.wait_for(lambda: d.status(case.case_id) == "submitted", "submitted")
        d.handler.approve(case.case_id)                 # the grid owner's person decides
        d.coordinator.advance()                         # the metering coordinator works

Actors act over the same interfaces as the real systems: the installer through the elsmart
simulator calling gridhub's inbound endpoint, the handler by publishing decisions into the hub
(as ``gridhub send`` does), the metering coordinator through its simulator's events.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from kombu import Exchange, Producer

from hub.app import Hub, build
from hub.config import Settings
from hub.demo.cases import P0_DOCUMENTS, documentation, kis_records
from hub.demo.world import World, environment, running_world, shipped_routes
from hub.ops import handling
from hub.store import CaseRow
from hub.topology import HUB_KEY
from hub.transports import connection_for
from schemas.case import Case, Note
from schemas.codes import DocumentKind, Flow

HANDLER_NAME = "Maria Holm"
HANDLER_NO = "Kari Hansen"


Clock = Callable[[], datetime]


def real_clock() -> datetime:
    return datetime.now(UTC)


class Installer:
    """The installer in the portal: every call goes through the elsmart simulator to
    gridhub's inbound SOAP endpoint, acknowledged only once the hub's broker has it. The
    dates it writes (a note's) are its ``clock``'s."""

    def __init__(self, portal: Any, clock: Clock = real_clock) -> None:
        self.portal = portal
        self.clock = clock

    def submit(self, case: Case) -> str:
        """Föranmälan (SubmitNotification)."""
        return str(self.portal.submit(case, "case.submitted"))

    def resubmit(self, case: Case) -> str:
        """The edited case after Avvisad föranmälan (ResubmitNotification)."""
        return str(self.portal.submit(case, "case.resubmitted"))

    def complete(self, case: Case, *, completion_only: bool = False,
                 documents: Iterable[DocumentKind] = P0_DOCUMENTS) -> str:
        """Färdiganmälan (SubmitCompletion); ``completion_only`` for a case without a
        pre-notification; ``documents``: the kinds attached (by default every P0 kind)."""
        flow = Flow.completion_only if completion_only else Flow.with_prenotification
        attachments = [*case.attachments, *documentation(case, documents)]
        return str(self.portal.submit(case.model_copy(update={"flow": flow,
                                                              "attachments": attachments}),
                                      "case.completion.submitted"))

    def request_deletion(self, case_id: str, replaced_by: str | None = None) -> str:
        payload: dict[str, Any] = {"reason": "Fel installationstyp, ny anmälan skapad"}
        if replaced_by:
            payload["replaced_by"] = replaced_by
        return str(self.portal.call("case.deletion.requested", case_id, payload))

    def cancel(self, case_id: str) -> str:
        note = Note(subject="Avbruten", text="Kunden har ångrat sig.", author="Installatör",
                    at=self.clock()).model_dump(mode="json")
        return str(self.portal.call("case.cancelled", case_id, {"note": note}))

    def lookup(self, case_id: str, *, meter_number: str | None = None,
               facility_id: str | None = None, overwrite: bool = False) -> str:
        """Hämta anl-data by meter number or facility id (EAN)."""
        payload: dict[str, Any] = {"overwrite": overwrite}
        if meter_number:
            payload["meter_number"] = meter_number
        if facility_id:
            payload["facility_id"] = facility_id
        return str(self.portal.call("facility.lookup.requested", case_id, payload))


class Handler:
    """The grid owner's handler (nätthandläggare): works the handler queue with the same
    decisions ``gridhub handle`` makes (hub.ops.handling), published into the hub and
    audit-logged; dated by its ``clock``."""

    def __init__(self, hub: Hub, clock: Clock = real_clock) -> None:
        self.hub = hub
        self.clock = clock

    def waiting(self) -> list[str]:
        """The handler queue: case ids waiting for a person's decision, oldest first."""
        return [w.case_id for w in handling.waiting(self.hub.store)]

    def _decide(self, case_id: str, *, approve: bool, text: str,
                wrong_installation_type: bool = False,
                terms: handling.Terms | None = None) -> str:
        message = handling.decision(self.hub.store, case_id, approve=approve, text=text,
                                    by=self.name_for(case_id),
                                    wrong_installation_type=wrong_installation_type,
                                    terms=terms, at=self.clock())
        self.hub.inbound.publish([message])
        handling.audit_decision(self.hub.store, message, by=self.name_for(case_id), reason=text)
        return message.message_id

    def name_for(self, case_id: str) -> str:
        """Who decides: the handler of the case's grid owner (Norwegian for Norway)."""
        return HANDLER_NO if case_id.startswith("NO-") else HANDLER_NAME

    def approve(self, case_id: str, terms: handling.Terms | None = None) -> str:
        """Installationsmedgivande med nätuppgifter: NIS's grid data, signed by the handler,
        with the connection fee, project number and "fakturera kund"."""
        number = sum(ord(c) for c in case_id)
        terms = terms or handling.Terms(connection_fee=Decimal(1500 + number % 7 * 250),
                                        project_number=f"59{number:05d}", bill_customer=True)
        return self._decide(case_id, approve=True, text="Godkänd av handläggare.",
                            terms=terms)

    def reject(self, case_id: str, reason: str = "Situationsplan saknas.", *,
               wrong_installation_type: bool = False) -> str:
        return self._decide(case_id, approve=False, text=reason,
                            wrong_installation_type=wrong_installation_type)

    def reject_completion(self, case_id: str, reason: str = "Mätarplats saknas.") -> str:
        return self._decide(case_id, approve=False, text=reason)

    def approve_completion(self, case_id: str) -> str:
        return self._decide(case_id, approve=True, text="Färdiganmälan godkänd.")


class Coordinator:
    """The metering coordinator: moves work orders through their steps; the events reach
    the hub over AMQP (a broker given) or the simulator's HTTP event feed."""

    def __init__(self, sim: Any) -> None:
        self.sim = sim

    def outcome(self, outcome: str) -> None:
        """How new work orders end: reported, deviation or cancelled."""
        self.sim.outcome = outcome

    def advance(self, workorder_id: str | None = None) -> list[dict[str, Any]]:
        """One step of one (or every open) work order."""
        return list(self.sim.advance(workorder_id))

    def open_orders(self) -> int:
        return sum(1 for order in self.sim.orders.values()
                   if order.get("_steps") and not order.get("_held"))

    def publish_values(self, gsrn: str, day: Any) -> dict[str, Any]:
        return dict(self.sim.publish_metering_values(gsrn, day))

    def reported(self) -> list[dict[str, Any]]:
        """The work orders reported done: their metering point, meter and when."""
        return list(self.sim.reported())


class Planners:
    """The grid owner's planners (beredning) working NIS projects, one step per call; NIS
    reports each move on its project feed, which the hub reads."""

    def __init__(self, sim: Any) -> None:
        self.sim = sim

    def advance(self) -> int:
        return int(self.sim.advance_projects())


@dataclass
class Driver:
    world: World
    hub: Hub
    settings: Settings
    clock: Clock = real_clock  # the business clock the actors work on

    @property
    def store(self) -> Any:
        return self.hub.store

    @property
    def installer(self) -> Installer:
        return Installer(self.world.elsmart, self.clock)

    @property
    def handler(self) -> Handler:
        return Handler(self.hub, self.clock)

    @property
    def coordinator(self) -> Coordinator:
        return Coordinator(self.world.metering)

    @property
    def planners(self) -> Planners:
        return Planners(self.world.nis)

    def case(self, case_id: str) -> CaseRow | None:
        row: CaseRow | None = self.hub.store.case(case_id)
        return row

    def status(self, case_id: str) -> str | None:
        row = self.case(case_id)
        return row.status if row else None

    def known_to_kis(self, case: Case) -> None:
        """Put ``case``'s facilities and owner in the KIS simulator's register."""
        data = self.world.kis.state.data
        for facility, customer in kis_records(case):
            data["facilities"][facility["facility_id"]] = facility
            data["customers"][customer["customer_number"]] = customer

    def known_to_datahub(self, case: Case) -> None:
        """Register ``case``'s metering points in the datahub (an existing installation)."""
        for fac in case.facilities:
            if fac.facility_id is not None:
                self.world.elhub.add_metering_point(fac.facility_id.reveal(),
                                                    meter_number=fac.meter_number)

    def publish_raw(self, body: bytes) -> None:
        """Put ``body`` on the hub's inbound exchange as it is: a poison message."""
        with connection_for(self.settings.broker_url) as conn:
            Producer(conn.channel()).publish(
                body, exchange=Exchange(f"{self.settings.namespace}.in", "direct"),
                routing_key=HUB_KEY, content_type="application/json",
                content_encoding="utf-8", delivery_mode=2)

    def wait_for(self, predicate: Callable[[], Any], what: str, timeout: float = 15.0) -> Any:
        """Poll ``predicate`` until truthy; AssertionError naming ``what`` after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
            time.sleep(0.05)

    def wait_status(self, case_id: str, status: str, timeout: float = 15.0) -> CaseRow:
        try:
            row: CaseRow = self.wait_for(
                lambda: (r := self.case(case_id)) is not None and r.status == status and r,
                f"case {case_id} to reach {status}", timeout)
        except AssertionError as exc:  # the status at the time-out, not at the start
            raise AssertionError(f"{exc} (now {self.status(case_id)})") from None
        return row


def _events_bound(hub: Hub, timeout: float = 15.0) -> None:
    """Wait until the metering connector consumes the coordinator's events: a topic
    exchange drops what is published before our queue is bound to it."""
    consumer = getattr(hub.connectors.get("metering"), "consumer", None)
    consuming = getattr(consumer, "consuming", None)
    if consuming is not None and not consuming.wait(timeout):
        raise RuntimeError(f"the metering connector did not start consuming events within "
                           f"{timeout:g}s")


def demo_settings(workdir: Path, routes: Path, broker_url: str | None, namespace: str,
                  store_url: str | None = None) -> Settings:
    return Settings(broker_url=broker_url or f"embedded://{workdir / 'broker.db'}",
                    store_url=store_url or f"sqlite:///{workdir / 'gridhub.db'}",
                    routes=routes, namespace=namespace, scheduler_interval_ms=100,
                    batch_linger_ms=2, log_level="WARNING")


@contextmanager
def running_driver(workdir: Path, *, broker_url: str | None = None,
                   namespace: str = "gridhub", routes: Path | None = None,
                   store_url: str | None = None, clock: Clock | None = None
                   ) -> Iterator[Driver]:
    """Simulators, then the hub on ``routes`` (default: the shipped routes.yaml) pointed at
    them; both stopped on exit. ``broker_url`` None: the embedded broker in ``workdir``;
    ``clock`` the business clock of the actors and simulators (None: the real one)."""
    workdir.mkdir(parents=True, exist_ok=True)
    amqp = broker_url if broker_url and broker_url.startswith("amqp") else None
    with ExitStack() as stack:
        world = stack.enter_context(running_world(workdir, amqp_url=amqp, namespace=namespace,
                                                  clock=clock))
        overlay = world.routes_overlay(routes or shipped_routes())
        settings = demo_settings(workdir, overlay, broker_url, namespace, store_url)
        with environment(world.environment()):
            hub = build(settings)  # routes.yaml reads the GRIDHUB_* variables here
        hub.start()
        stack.callback(hub.stop, 15)
        _events_bound(hub)
        yield Driver(world, hub, settings, clock or real_clock)
