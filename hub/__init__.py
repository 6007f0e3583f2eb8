"""gridhub runtime: broker topology, workers, router, retry, dead letters, store, CLI.

Importing this package does no I/O; `hub.app.build()` is the one composition root.
"""

__version__ = "0.1.0"
