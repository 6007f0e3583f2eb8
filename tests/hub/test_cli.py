"""The `gridhub` command: exit codes, error texts, and each command doing its job."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from connectors.kis import KisConnector
from hub import __version__
from hub.cli import main
from hub.transports import QueueNotFound, connection_for, queue_depth
from tests.factories import envelope, swedish_case
from tests.support.shipped import SHIPPED_SECRETS


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)
    return invoke


def test_version(run):
    result = run("version")
    assert result.exit_code == 0 and result.output.strip() == f"gridhub {__version__}"


@pytest.mark.parametrize("command", [
    [], ["run"], ["routes", "check"], ["send"], ["translate"], ["dev-cert"], ["simulate"],
    ["schemas", "export"], ["version"], ["dlq"], ["trace"], ["status"], ["pause"], ["resume"]])
def test_every_command_has_help(run, command):
    result = run(*command, "--help")
    assert result.exit_code == 0 and "Usage: main" in result.output


def test_routes_check_accepts_the_shipped_file_with_installed_plugins():
    result = CliRunner().invoke(main, ["routes", "check", "routes.yaml"], env=SHIPPED_SECRETS)
    assert result.exit_code == 0, result.output
    assert "routes.yaml: ok" in result.output


def test_routes_check_verbose_prints_each_policy_schedule():
    result = CliRunner().invoke(main, ["routes", "check", "--verbose", "routes.yaml"],
                                env=SHIPPED_SECRETS)
    assert result.exit_code == 0, result.output
    default = result.output.split("retry policy default")[1].split("retry policy patient")[0]
    assert "  attempt    delay          since the first failure" in default
    assert "  11-297     5m each        1d" in default  # hours of retries, capped at 5 min
    assert "then dead letter: max_age 1d after the first failure" in default
    assert "then dead letter: max_age 3d after the first failure" in result.output


def test_routes_check_names_an_unset_secret_and_exits_3():
    env = {**SHIPPED_SECRETS, "GRIDHUB_ELSMART_INBOUND_PASSWORD": None}
    result = CliRunner().invoke(main, ["routes", "check", "routes.yaml"], env=env)
    assert result.exit_code == 3, result.output
    assert "environment variable GRIDHUB_ELSMART_INBOUND_PASSWORD is not set" in result.output


def test_routes_check_names_file_line_and_key(run, tmp_path):
    bad = tmp_path / "routes.yaml"
    bad.write_text("version: 1\nconnectors:\n  crm: {plugin: webhook, settings: {url: 'http://x'}}\n"
                   "routes:\n  - name: r\n    match: {type: case.submitted}\n    to: [crn]\n")
    result = run("routes", "check", str(bad))
    assert result.exit_code == 3
    assert f"{bad}:7" in result.output and "unknown connector 'crn'" in result.output


def test_routes_check_missing_file_is_a_config_error(run, tmp_path):
    result = run("routes", "check", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 3 and "no such file" in result.output


def test_send_refuses_invalid_message_and_sends_nothing(run, tmp_path):
    broker = f"embedded://{tmp_path / 'b.db'}"
    good = envelope("case.submitted", swedish_case(1)).model_dump(mode="json")
    bad = {**good, "message_id": "x2", "type": "case.teleported"}
    result = run("send", "-", "--broker", broker, input=json.dumps([good, bad]))
    assert result.exit_code == 4
    assert "unknown message type 'case.teleported'" in result.output
    with connection_for(broker) as conn, pytest.raises(QueueNotFound):
        queue_depth(conn, "gridhub.hub.in")  # nothing was even declared


def test_send_publishes_json_lines(run, tmp_path):
    broker = f"embedded://{tmp_path / 'b.db'}"
    lines = "\n".join(envelope("case.submitted", swedish_case(i)).model_dump_json()
                      for i in range(3))
    result = run("send", "-", "--broker", broker, input=lines)
    assert result.exit_code == 0 and "sent 3 message(s)" in result.output
    with connection_for(broker) as conn:
        assert queue_depth(conn, "gridhub.hub.in") == 3


def test_translate_both_ways(run, tmp_path):
    msg = envelope("facility.lookup.requested", swedish_case(2))
    wire = tmp_path / "lookup.xml"
    wire.write_bytes(KisConnector.to_wire(msg))
    result = run("translate", "kis", str(wire))
    assert result.exit_code == 0, result.output
    [doc] = json.loads(result.output)
    assert doc["type"] == "facility.lookup.requested" and doc["case_id"] == msg.case_id
    canonical = tmp_path / "lookup.json"
    canonical.write_text(msg.model_dump_json())
    back = run("translate", "kis", str(canonical), "--to-wire")
    assert back.exit_code == 0 and "LookupFacilityRequest" in back.output


def test_translate_to_wire_gives_one_document_per_output(run, tmp_path):
    """Several messages are never printed run together: a JSON list, or a file each."""
    from lxml import etree
    messages = [envelope("facility.lookup.requested", swedish_case(i)) for i in (2, 3)]
    canonical = tmp_path / "two.jsonl"
    canonical.write_text("\n".join(m.model_dump_json() for m in messages))
    listed = run("translate", "kis", str(canonical), "--to-wire")
    assert listed.exit_code == 0, listed.output
    documents = json.loads(listed.output)
    assert len(documents) == 2
    for document in documents:
        etree.fromstring(document.encode())  # each one parses alone
    out = tmp_path / "wire"
    filed = run("translate", "kis", str(canonical), "--to-wire", "--out-dir", str(out))
    assert filed.exit_code == 0, filed.output
    files = sorted(out.iterdir())
    assert [f.name.split("-", 1)[1] for f in files] == [f"{m.message_id}.xml" for m in messages]
    for f in files:
        etree.fromstring(f.read_bytes())  # each file is one well-formed document


def test_translate_invalid_document_names_the_problem(run, tmp_path):
    wire = tmp_path / "broken.xml"
    wire.write_bytes(b"<k:Nonsense xmlns:k='urn:gridhub:kis:v1'/>")
    result = run("translate", "kis", str(wire))
    assert result.exit_code == 4 and "broken.xml" in result.output


def test_translate_unknown_connector(run, tmp_path):
    f = tmp_path / "x.xml"
    f.write_text("<a/>")
    result = run("translate", "sap", str(f))
    assert result.exit_code == 3 and "no connector plugin 'sap'" in result.output


def test_schemas_are_up_to_date(run):
    result = run("schemas", "export", "--check")
    assert result.exit_code == 0, result.output


def test_dev_cert_creates_a_usable_pair_once(run, tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    assert run("dev-cert", "--out", str(tmp_path)).exit_code == 0
    cert = x509.load_pem_x509_certificate((tmp_path / "cert.pem").read_bytes())
    key = load_pem_private_key((tmp_path / "key.pem").read_bytes(), password=None)
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    before = (tmp_path / "cert.pem").read_bytes()
    run("dev-cert", "--out", str(tmp_path))
    assert (tmp_path / "cert.pem").read_bytes() == before  # kept, not replaced


def test_run_on_an_unreachable_broker_is_one_line_without_a_password(tmp_path):
    routes = tmp_path / "routes.yaml"
    routes.write_text("version: 1\nconnectors: {}\nroutes: []\n")
    broker = "amqp://u:p@ss@127.0.0.1:1//;amqp://v:secret3@127.0.0.1:2//"
    # A process of its own: `run` configures the process's logging.
    done = subprocess.run([sys.executable, "-m", "hub.cli", "run", "--broker", broker, "--store",
                           f"sqlite:///{tmp_path / 'h.db'}", "--routes", str(routes)],
                          capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    # (the driver's error type varies with the connection path: refused is what counts)
    assert "error: the hub did not start:" in done.stderr
    assert "Connection refused" in done.stderr or "ConnectionRefusedError" in done.stderr
    assert "amqp://***@127.0.0.1:1//;amqp://***@127.0.0.1:2//" in done.stderr
    assert "Traceback" not in done.stderr
    assert "secret3" not in done.stderr + done.stdout and "ss@" not in done.stderr
