"""The kombu internals the embedded broker (hub/transports/embedded*.py) stands on.

kombu is pinned to the minor version these were written against (pyproject.toml). When an
upgrade changes one of them, the test of that internal fails and names it, and the module that
uses it, before the embedded broker misbehaves: adapt the module, then move the pin."""

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import kombu
import pytest
from kombu.transport import sqlalchemy as sqla
from kombu.transport import virtual
from kombu.transport.sqlalchemy import models

from hub.transports.embedded import embedded_connection


@pytest.fixture(scope="module")
def channel(tmp_path_factory):
    conn = embedded_connection(tmp_path_factory.mktemp("internals") / "broker.db")
    chan = conn.channel()
    yield chan
    chan.close()
    conn.release()


RAW = {"body": "", "properties": {"delivery_tag": 1, "delivery_info": {}}, "embedded-row": 7}


def _raw_of(channel: Any) -> Any:
    return channel.Message(RAW, channel=channel)._raw


def _lock(obj: Any) -> bool:
    return all(callable(getattr(obj, name, None))
               for name in ("acquire", "release", "__enter__", "__exit__"))


# (internal, the module that uses it, check on a live embedded channel)
INTERNALS: list[tuple[str, str, Callable[[Any], bool]]] = [
    ("kombu.transport.sqlalchemy._MUTEX (a lock)", "embedded_store.kombu_tables",
     lambda ch: _lock(getattr(sqla, "_MUTEX", None))),
    ("kombu.transport.sqlalchemy.models.class_registry (a dict of declared classes)",
     "embedded_store.kombu_tables",
     lambda ch: isinstance(getattr(models, "class_registry", None), dict)),
    ("kombu.transport.sqlalchemy.models.ModelBase, .Queue, .Message (the table mixins)",
     "embedded_store.kombu_tables",
     lambda ch: all(hasattr(models, n) for n in ("ModelBase", "Queue", "Message"))),
    ("kombu.transport.sqlalchemy.Channel._configure_entity_tablenames(opts)",
     "embedded.Channel._configure_entity_tablenames",
     lambda ch: callable(getattr(sqla.Channel, "_configure_entity_tablenames", None))),
    ("the sqlalchemy Channel's queue_cls/message_cls with __tablename__", "embedded.Channel._open",
     lambda ch: (ch.queue_cls.__tablename__, ch.message_cls.__tablename__)
     == ("kombu_queue", "kombu_message")),
    ("kombu.transport.virtual.QoS._delivered (an OrderedDict filled in __init__)",
     "embedded.QoS.ack_many / tags_up_to / reject / restore_unacked",
     lambda ch: isinstance(ch.qos._delivered, OrderedDict)),
    ("kombu.transport.virtual.QoS._dirty (a set of acked tags) and _quick_ack",
     "embedded.QoS.ack_many / tags_up_to",
     lambda ch: isinstance(ch.qos._dirty, set) and callable(ch.qos._quick_ack)),
    ("kombu.transport.virtual.QoS._flush()", "embedded.QoS.restore_unacked",
     lambda ch: callable(getattr(ch.qos, "_flush", None))),
    ("kombu.transport.virtual.QoS.append(message, tag) and can_consume_max_estimate()",
     "embedded.Channel.basic_consume / _fetch_size",
     lambda ch: callable(ch.qos.append) and callable(ch.qos.can_consume_max_estimate)),
    ("connection._callbacks (the virtual Transport's dict of consumer callbacks per queue)",
     "embedded.Channel.basic_consume",
     lambda ch: isinstance(getattr(ch.connection, "_callbacks", None), dict)),
    ("kombu.transport.virtual.Channel._tag_to_queue, _active_queues, _consumers",
     "embedded.Channel.basic_consume / basic_cancel",
     lambda ch: isinstance(ch._tag_to_queue, dict) and isinstance(ch._active_queues, list)
     and isinstance(ch._consumers, set)),
    ("kombu.transport.virtual.Channel._reset_cycle() and _lookup(exchange, routing_key)",
     "embedded.Channel.basic_consume / _put_fanout",
     lambda ch: callable(getattr(ch, "_reset_cycle", None))
     and callable(getattr(ch, "_lookup", None))),
    ("kombu.transport.virtual.Channel.from_transport_options (a tuple)",
     "embedded.Channel.from_transport_options",
     lambda ch: isinstance(virtual.Channel.from_transport_options, tuple)),
    ("kombu.transport.virtual.BrokerState: exchanges and queue_bindings_delete",
     "embedded._shared_state / Channel.queue_delete",
     lambda ch: isinstance(ch.state, virtual.BrokerState) and isinstance(ch.state.exchanges, dict)
     and callable(getattr(ch.state, "queue_bindings_delete", None))),
    ("a virtual Message's _raw (the raw message dict)", "embedded._row",
     lambda ch: _raw_of(ch) is RAW),
    ("kombu.transport.virtual.Transport.cycle.get(callback, timeout) and _deliver",
     "embedded.Transport.drain_events",
     lambda ch: callable(getattr(ch.connection.cycle, "get", None))
     and callable(getattr(ch.connection, "_deliver", None))),
]


@pytest.mark.parametrize(("internal", "user", "holds"), INTERNALS,
                         ids=[name.split(" (")[0] for name, _, _ in INTERNALS])
def test_a_kombu_internal_the_embedded_broker_uses_is_still_there(channel, internal, user,
                                                                  holds):
    try:
        ok = holds(channel)
    except Exception as exc:  # a missing attribute is the change we are here to name
        ok, why = False, f"{type(exc).__name__}: {exc}"
    else:
        why = "not as expected"
    assert ok, (f"kombu {kombu.__version__} changed {internal} ({why}); it is used by "
                f"hub/transports/{user}: adapt it, then move the kombu pin in pyproject.toml")
