"""Scale-out, shortened: two hub worker processes as competing consumers of the partitioned
hub queue on RabbitMQ keep every case's messages in order (checked at the outputs)."""

import pytest

from bench.scaleout import parse_args, run_workers


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_two_competing_hub_workers_keep_per_case_order(amqp_url: str) -> None:
    # kombu reads "//" as the default vhost "/"; pika (the bench's sink) needs it spelt "%2F".
    url = amqp_url[:-2] + "/%2F" if amqp_url.endswith("//") else amqp_url
    args = parse_args(["--url", url, "--cases", "120", "--per-case", "4",
                       "--interleave", "30", "--quiet-wait", "0"])
    run = run_workers(2, args)
    tally = run["drain"]["tally"]
    assert tally["expected"] == 120 * 4 * 2, tally
    assert (tally["missing"], tally["duplicates"], tally["order_violations"]) == (0, 0, 0), tally
    assert run["dead_letters"] == {}, run
