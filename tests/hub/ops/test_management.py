from hub.ops.management import ManagementApi, ManagementUnavailable, management_for
from tests.conftest import free_port


def test_management_api_for_a_broker_url():
    api = management_for("amqp://ops:s%40lt@rabbit.example:5672/gridhub")
    assert api is not None and api.base_url == "http://rabbit.example:15672"
    assert api.vhost == "gridhub" and "s@lt" not in repr(api)
    assert management_for("amqp://guest:guest@127.0.0.1:5672//").vhost == "/"
    assert management_for("embedded://var/broker.db") is None


def test_a_real_queue_answers_and_an_unknown_queue_is_none(amqp_url, amqp_namespace):
    from hub.topology import topology_for
    from hub.transports import connection_for

    with connection_for(amqp_url) as conn:
        topology_for(amqp_namespace, amqp_url).declare(conn, ["alpha"])
    api = management_for(amqp_url)
    stats = api.queue(f"{amqp_namespace}.out.alpha")
    assert stats is not None and stats.consumers == 0
    assert api.queue(f"{amqp_namespace}.out.nothing") is None


def test_no_answer_is_management_unavailable_naming_the_url():
    api = ManagementApi(f"http://127.0.0.1:{free_port()}", "guest", "guest", timeout=1)
    try:
        api.queue("gridhub.hub.in")
    except ManagementUnavailable as exc:
        assert "127.0.0.1" in str(exc)
    else:
        raise AssertionError("a closed port must raise ManagementUnavailable")
