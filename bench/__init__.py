"""Benchmarks of gridhub on RabbitMQ: routing against two peers, scale-out and soak.

    python -m bench.routing --help     gridhub vs a raw pika relay vs FastStream
    python -m bench.scaleout --help    1, 2 and 4 hub worker processes; per-case order checked
    python -m bench.soak --help        minutes at half load: worker RSS and latency over time

Results go to docs/benchmarks.md. Nothing here runs in the test suite with timed assertions.
"""
