"""The environment the shipped routes.yaml needs: its secrets have no default (issue 13 item 12),
so every test that loads it sets them, as `gridhub demo` does."""

from __future__ import annotations

from pathlib import Path

SHIPPED_ROUTES = Path(__file__).resolve().parents[2] / "routes.yaml"
SHIPPED_SECRETS = {
    "GRIDHUB_ELSMART_PASSWORD": "test-portal-secret",
    "GRIDHUB_ELSMART_INBOUND_PASSWORD": "test-inbound-secret",
    "GRIDHUB_KIS_PASSWORD": "test-kis-secret",
    "GRIDHUB_NIS_PASSWORD": "test-nis-secret",
    "GRIDHUB_METERING_TOKEN": "",
    "GRIDHUB_ELHUB_PASSWORD": "test-elhub-secret",
    "GRIDHUB_ELHUB_KEY": "var/dev-cert/key.pem",
    "GRIDHUB_SMTP_PASSWORD": "",
    "GRIDHUB_EDIEL_SMTP_PASSWORD": "",
}
