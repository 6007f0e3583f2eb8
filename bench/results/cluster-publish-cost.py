"""CPU per published message on a plain kombu connection and on a ``hub.brokers`` one
(heartbeats, socket time-outs, frame-writer lock): five alternating runs against the broker at
URL. Run: ``python bench/results/cluster-publish-cost.py`` (docs/benchmarks.md)."""

import time

from kombu import Connection, Exchange, Queue

from hub.brokers import BrokerOptions, Brokers
from hub.publisher import Outgoing, Publisher

URL = "amqp://guest:guest@127.0.0.1:5672//"
EXCHANGE = Exchange("zz-pubcost", type="direct", durable=False)
QUEUE = Queue("zz-pubcost", EXCHANGE, routing_key="k", durable=False,
              queue_arguments={"x-max-length": 1000})


def run(conn: Connection, n: int = 20000) -> float:
    with conn:
        QUEUE(conn.channel()).declare()
        publisher = Publisher(conn)
        batch = [Outgoing(EXCHANGE, "k", b"x" * 2000) for _ in range(250)]
        started = time.process_time()
        for _ in range(n // 250):
            publisher.publish(batch)
        return (time.process_time() - started) / n * 1e6


def main() -> None:
    found: dict[str, list[float]] = {"plain": [], "brokers": []}
    for _ in range(5):
        found["plain"].append(run(Connection(URL)))
        found["brokers"].append(run(Brokers(URL, BrokerOptions()).connect()))
    print({k: [round(v, 1) for v in vs] for k, vs in found.items()},
          "µs CPU per published message")
    with Connection(URL) as conn:
        conn.channel().queue_delete("zz-pubcost")
        conn.channel().exchange_delete("zz-pubcost")


if __name__ == "__main__":
    main()
