"""End-to-end flows: every simulator on loopback, the hub on the shipped routes.yaml, on the
embedded broker and on RabbitMQ. ``d`` is a running :class:`hub.demo.driver.Driver`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hub.demo.driver import Driver, running_driver


@pytest.fixture(params=["embedded", "rabbitmq"])
def d(request: Any, tmp_path: Any) -> Iterator[Driver]:
    if request.param == "embedded":
        with running_driver(tmp_path / "run") as driver:
            yield driver
        return
    url = request.getfixturevalue("amqp_url")
    namespace = request.getfixturevalue("amqp_namespace")
    with running_driver(tmp_path / "run", broker_url=url, namespace=namespace) as driver:
        yield driver


def portal(d: Driver, case_id: str) -> dict[str, Any]:
    """The case as the portal (elsmart simulator) shows it."""
    case: dict[str, Any] = d.world.elsmart.state.snapshot()["cases"].get(case_id) or {}
    return case


def in_handler_queue(d: Driver, case_id: str) -> bool:
    return case_id in d.handler.waiting()


def work_until(d: Driver, case_id: str, status: str, timeout: float = 15.0) -> None:
    """The coordinator works its orders, one step per poll, until the case reaches
    ``status``."""
    def moved() -> bool:
        d.coordinator.advance()
        return d.status(case_id) == status

    try:
        d.wait_for(moved, f"case {case_id} to reach {status}", timeout)
    except AssertionError as exc:
        dead = [f"{x.connector}: {x.exception_message[:120]}" for x in d.store.dead_letters()]
        raise AssertionError(f"{exc} (now {d.status(case_id)}; dead letters: {dead})") from None


def mails_to(d: Driver, address: str) -> list[dict[str, Any]]:
    return [m for m in d.world.notify.snapshot()["mails"] if address in m["to"]]
