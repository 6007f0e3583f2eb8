"""The chaos harness: ``python -m bench.chaos --messages 20000``; see ``scenario``."""
