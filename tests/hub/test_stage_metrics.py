"""The running hub moves its own metrics: received, routed, delivered with latency, failures by
kind, retries and dead letters by failure group, on the embedded broker and on RabbitMQ."""

from kombu import Exchange, Producer

from hub.metrics import Metrics
from hub.transports import connection_for
from tests.factories import envelope, swedish_case
from tests.hub.test_metrics import samples
from tests.support.hubrun import routes_yaml, running_hub, settings_for, wait_until
from tests.support.sink import Sink

ROUTES = """\
  - name: submitted-to-both
    match: {type: case.submitted}
    to: [alpha, beta]
    retry: fast
"""
ROUTE = "submitted-to-both"


def _value(metrics: Metrics, name: str, **labels: str) -> float:
    return samples(metrics).get((name, tuple(sorted(labels.items()))), 0.0)


def _publish_poison(url: str, ns: str) -> None:
    with connection_for(url) as conn:
        Producer(conn.channel()).publish(
            b"{not an envelope", exchange=Exchange(f"{ns}.in", "direct"), routing_key="hub",
            content_type="application/json", content_encoding="utf-8", delivery_mode=2)


def test_a_running_hub_counts_what_happens_to_its_messages(broker, tmp_path):
    url, ns = broker
    with Sink() as alpha, Sink() as beta:
        alpha.state.fail_next = 2  # attempt 1 fails, the immediate retry fails, then delivered
        beta.state.fail_always = 422  # permanent: dead-lettered at once
        settings = settings_for(tmp_path, url, ns,
                                routes_yaml({"alpha": alpha.url, "beta": beta.url}, ROUTES))
        with running_hub(settings) as hub:
            m = hub.metrics
            hub.inbound.publish([envelope("case.submitted", swedish_case(31))])
            _publish_poison(url, ns)
            wait_until(lambda: _value(m, "gridhub_messages_delivered_total", route=ROUTE,
                                      connector="alpha") == 1, what="alpha delivered")
            wait_until(lambda: len(hub.store.dead_letters()) == 2, what="two dead letters")
            wait_until(lambda: _value(m, "gridhub_dead_letters_total", route=ROUTE,
                                      connector="beta",
                                      group=hub.store.dead_letters(connector="beta")[0]
                                      .fingerprint) == 1, what="beta's dead letter counted")
            [poison] = hub.store.dead_letters(connector="hub")
            got = samples(m)

    def at(name: str, **labels: str) -> float:
        return got.get((name, tuple(sorted(labels.items()))), 0.0)

    assert at("gridhub_messages_received_total", type="case.submitted") == 1
    assert at("gridhub_messages_received_total", type="(undecodable)") == 1
    assert at("gridhub_messages_routed_total", route=ROUTE, connector="alpha") == 1
    assert at("gridhub_messages_routed_total", route=ROUTE, connector="beta") == 1
    assert at("gridhub_delivery_failures_total", route=ROUTE, connector="alpha",
              kind="transient") == 2
    assert at("gridhub_delivery_retries_total", route=ROUTE, connector="alpha") == 2
    assert at("gridhub_delivery_seconds_count", route=ROUTE, connector="alpha") == 1
    assert at("gridhub_delivery_failures_total", route=ROUTE, connector="beta",
              kind="permanent") == 1
    assert at("gridhub_messages_delivered_total", route=ROUTE, connector="beta") == 0
    assert at("gridhub_dead_letters_total", route="none", connector="hub",
              group=poison.fingerprint) == 1
    # The state gauges are read from the store and broker at scrape time.
    open_groups = {dict(labels)["group"]: value for (name, labels), value in got.items()
                   if name == "gridhub_dead_letters_open"}
    assert open_groups.get(poison.fingerprint) == 1, open_groups
    assert at("gridhub_connector_paused", connector="alpha") == 0
    assert any(name == "gridhub_queue_depth" for name, _ in got)
