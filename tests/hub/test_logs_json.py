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
