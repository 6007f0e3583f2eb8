"""CLI tables print control characters escaped (issue 13, item 13): a case reference holding a
line break or an ESC sequence (stored before the contract refused them, or by a tool that
writes the store) stays one cell on one line, showing what it holds, in `gridhub handle list`
and every table."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner

from hub.cli import main
from hub.ops.render import printable, table
from hub.store.tables import cases

HOSTILE = "MEE9541\n\x1b[2J\x1b[31mGODKÄND\u202e\r"


def test_handle_list_escapes_control_characters(store):
    state = {"case": {"reference": HOSTILE, "installation_type": "new_installation",
                      "job_type": "new_connection", "grid_owner": {"country": "SE"}},
             "side_tracks": {"preparation": "to_preparation"},
             "awaiting_decision": True}  # in the handler queue
    with store.engine.begin() as conn:
        conn.execute(cases.insert().values(
            case_id="SE-4711", status="submitted", flow="pre_notification", state=state,
            keys={}, last_message_id=None, updated_at=datetime(2026, 11, 30, tzinfo=UTC),
            version=1))
    result = CliRunner().invoke(main, ["handle", "list"], env={
        "GRIDHUB_STORE_URL": store.engine.url.render_as_string(hide_password=False)},
        catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\r" not in result.output
    assert "\u202e" not in result.output
    (row,) = [line for line in result.output.splitlines() if "SE-4711" in line]
    assert r"MEE9541\n\x1b[2J\x1b[31mGODKÄND\u202e\r" in row


def test_every_table_cell_and_clip_are_printable():
    out = table(["CASE", "NOTE"], [["SE-1", "rad ett\nrad två\x07"], ["SE-2", None]])
    assert out.splitlines()[1] == r"SE-1  rad ett\nrad två\x07"
    assert printable("vanlig text, å ä ö ø") == "vanlig text, å ä ö ø"


def test_dlq_show_escapes_control_characters_in_the_body(store):
    from hub.ops.views import dead_letter_detail
    from tests.factories import envelope, swedish_case
    from tests.hub.ops.conftest import add_dead_letter

    dl_id = add_dead_letter(store, envelope("case.submitted", swedish_case(5)),
                            body=b"<note>rad\x1b[2J\x1b]0;pwned\x07</note>")
    text = dead_letter_detail(store.dead_letter(dl_id), [], [], reveal=True)
    assert "\x1b" not in text and "\x07" not in text
    assert r"rad\x1b[2J\x1b]0;pwned\x07" in text
