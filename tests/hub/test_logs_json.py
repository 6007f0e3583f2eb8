"""The JSON log stream holds JSON and nothing else: tracebacks (caught, uncaught, in a thread),
library loggers and warnings are JSON lines too, and every line carries route, message type
and trace id (null outside a message). A real process: what reaches its stderr is checked."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r"""
import logging, threading, warnings
import structlog
from hub import telemetry
from hub.logs import configure_logging

configure_logging("INFO", json=True)
log = structlog.get_logger("gridhub.test")
log.info("outside")
with telemetry.span("deliver alpha", None), structlog.contextvars.bound_contextvars(
        route="submitted-to-alpha", message_type="case.submitted"):
    log.info("inside", personal_number="19811218-9876")
    logging.getLogger("kombu").warning("a library line")
    try:
        1 / 0
    except ZeroDivisionError:
        log.exception("caught")
warnings.warn("an old way")
worker = threading.Thread(target=lambda: {}["missing"], name="worker")
worker.start()
worker.join()
raise RuntimeError("nobody caught this")
"""


def _run() -> tuple[int, str, list[dict]]:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=60)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not JSON in the JSON log stream: {line!r}\n"
                                 f"{done.stderr}") from None
    return done.returncode, done.stdout, parsed


def test_every_line_is_json_with_route_type_and_trace_id():
    code, stdout, lines = _run()
    assert code == 1 and stdout == ""
    events = {line["event"]: line for line in lines}
    assert {"outside", "inside", "a library line", "caught", "uncaught exception",
            "uncaught exception in a thread"} <= set(events)
    for line in lines:
        assert {"route", "message_type", "trace_id"} <= set(line), line
    assert (events["outside"]["route"], events["outside"]["trace_id"]) == (None, None)
    inside = events["inside"]
    assert (inside["route"], inside["message_type"]) == ("submitted-to-alpha", "case.submitted")
    assert len(inside["trace_id"]) == 32 and int(inside["trace_id"], 16)
    assert inside["personal_number"] != "19811218-9876"  # still masked
    library = events["a library line"]
    assert (library["trace_id"], library["route"]) == (inside["trace_id"], inside["route"])


def test_tracebacks_are_json_not_text():
    _, _, lines = _run()
    events = {line["event"]: line for line in lines}
    for name, kind in (("caught", "ZeroDivisionError"), ("uncaught exception", "RuntimeError"),
                       ("uncaught exception in a thread", "KeyError")):
        (exception,) = events[name]["exception"]
        assert exception["exc_type"] == kind, name
        assert exception["frames"] and "lineno" in exception["frames"][-1]
        assert "locals" not in exception["frames"][-1]  # no variables (personal data) logged
    assert events["uncaught exception in a thread"]["thread"] == "worker"
    assert any("an old way" in line["event"] for line in lines)  # the warning


ROUTES = """\
  - name: submitted
    match: {type: case.submitted}
    to: [alpha]
    retry: fast
"""


def test_gridhub_run_writes_only_json_and_a_delivery_line_names_its_route_type_and_trace(
        tmp_path):
    import os
    import signal

    from tests.conftest import free_port
    from tests.factories import envelope, swedish_case
    from tests.support.hubrun import routes_yaml, wait_until
    from tests.support.sink import Sink

    port = free_port()
    with Sink() as alpha:
        alpha.state.fail_next, alpha.state.fail_status = 1, 503  # one call retried at once
        (tmp_path / "routes.yaml").write_text(routes_yaml({"alpha": alpha.url}, ROUTES))
        env = {**os.environ, "GRIDHUB_BROKER_URL": f"embedded://{tmp_path / 'broker.db'}",
               "GRIDHUB_STORE_URL": f"sqlite:///{tmp_path / 'hub.db'}",
               "GRIDHUB_ROUTES": str(tmp_path / "routes.yaml"),
               "GRIDHUB_WEB_LISTEN": f"127.0.0.1:{port}", "GRIDHUB_LOG_JSON": "true"}
        sent = subprocess.run([sys.executable, "-m", "hub.cli", "send", "-"], env=env,
                              input=envelope("case.submitted", swedish_case(7))
                              .model_dump_json(), capture_output=True, text=True, timeout=60)
        assert sent.returncode == 0, sent.stderr
        hub = subprocess.Popen([sys.executable, "-m", "hub.cli", "run"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=tmp_path)
        try:
            wait_until(lambda: alpha.docs(), what="the delivery")
            wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz"),
                       what="the web (its SIGTERM handler is set up after it)")
            hub.send_signal(signal.SIGTERM)
            out, err = hub.communicate(timeout=30)
        finally:
            if hub.poll() is None:
                hub.kill()
                hub.communicate(timeout=10)
        (doc,) = alpha.docs()
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]  # all JSON
    assert out == "" and lines
    assert all({"route", "message_type", "trace_id"} <= set(line) for line in lines)
    events = {line["event"] for line in lines}
    assert {"hub.started", "web.listening", "hub.stopped"} <= events
    (retry,) = [line for line in lines if line["event"] == "delivery.retry_now"]
    assert (retry["route"], retry["message_type"]) == ("submitted", "case.submitted")
    assert retry["trace_id"] == doc["traceparent"].split("-")[1]


def _answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False
