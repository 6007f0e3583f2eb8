"""The ops web app (FastAPI, server-rendered, no JS build): dashboard, failure workbench,
case trace, /metrics, /healthz, /readyz. Every action goes through ``hub.ops``."""
