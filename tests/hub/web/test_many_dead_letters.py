"""More open dead letters than a page holds (issue 21): groups count every one (grouped in
SQL), lists show the newest first and page on to the older ones."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from hub.store import fingerprint
from tests.factories import envelope, swedish_case
from tests.hub.store.builders import dead_letter_row
from tests.hub.web.client import Client
from tests.hub.web.conftest import FAILED

MORE = 520  # beyond the 500 rows of a page
LATE = "TargetTimeout"  # today's failures: a second group, all newer than the first


def _add_many(store) -> tuple[str, list[int]]:
    """``MORE`` dead letters of the hub's own group's shape with one other cause, newest last."""
    rows = []
    for i in range(MORE):
        dl = dead_letter_row(envelope("case.submitted", swedish_case(1000 + i)), connector="alpha",
                             exception_type=LATE, where=None)
        rows.append(replace(dl, fingerprint=fingerprint(LATE, None, "alpha", dl.message_type)))
    with store.transaction() as tx:
        ids = tx.add_dead_letters(rows)
    return rows[0].fingerprint, ids


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<td><a href="/dead-letters/(\d+)">', html)]


def test_groups_count_every_open_dead_letter_and_lists_page_newest_first(web_hub):
    late, ids = _add_many(web_hub.hub.store)
    client = Client(web_hub.url)
    assert client.log_in("maria") == 303

    status, _, text = client.request("/api/groups")
    assert status == 200
    counts = {g["fingerprint"]: g["count"] for g in json.loads(text)}
    assert counts[late] == MORE and sorted(counts.values()) == [FAILED, MORE]

    status, _, html = client.request("/groups")
    assert status == 200 and f'<td class="num">{MORE}</td>' in html
    assert "Only the first" not in html

    status, _, html = client.request("/dead-letters")
    first = _ids(html)
    assert first[:3] == [ids[-1], ids[-2], ids[-3]] and len(first) == 500
    older = re.search(r'id="older" href="([^"]+)"', html)
    assert older, "a full page links to the older dead letters"
    status, _, html = client.request(older.group(1).replace("&amp;", "&"))
    rest = _ids(html)
    assert status == 200 and len(rest) == MORE + FAILED - 500
    assert rest == sorted(rest, reverse=True) and max(rest) < min(first)
    assert 'id="older"' not in html

    status, _, html = client.request(f"/groups/{late}")
    assert status == 200 and f'<b id="group-count">{MORE}</b>' in html
    assert _ids(html)[0] == ids[-1]
