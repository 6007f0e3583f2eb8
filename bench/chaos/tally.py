"""Accounting for a chaos run: every input delivered once at the final target, or dead-lettered.

An input is identified by (case, seq) (see :mod:`bench.messages`). Every id along its way is
deterministic (the hub derives each delivery's id from its input, route and destination; the
back end derives its reply's id from what it received), so the run knows in advance which ids
belong to which input: what reaches the final target, and any dead letter, maps back exactly.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Key = tuple[int, int]  # (case, seq)


@dataclass(frozen=True)
class DeadLetter:
    """What the tally needs of a dead letter: its message, where it failed and why."""

    message_id: str
    causation_id: str | None
    connector: str
    reason: str

    @classmethod
    def from_row(cls, message_id: str | None, body: bytes, connector: str,
                 reason: str) -> DeadLetter:
        """From a dead-letter row; a body that is not JSON (poison) still names its id."""
        try:
            doc = json.loads(body)
        except ValueError:
            doc = {}
        found = doc.get("message_id") if isinstance(doc, dict) else None
        cause = doc.get("causation_id") if isinstance(doc, dict) else None
        return cls(str(found or message_id), cause, connector, reason)

    def input_key(self, ids: Mapping[str, Key]) -> Key | None:
        return ids.get(self.message_id) or ids.get(self.causation_id or "")


@dataclass
class Tally:
    """The verdict. ``ok`` when nothing is lost, doubled or out of order."""

    expected: int
    delivered: int = 0
    dead_lettered: int = 0
    lost: list[Key] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # what was delivered twice, and how
    order_violations: list[str] = field(default_factory=list)
    dead_reasons: Counter[str] = field(default_factory=Counter)
    stray: int = 0  # deliveries the run did not send (must stay 0)
    counters: dict[str, int] = field(default_factory=dict)  # faults and suppressed repeats

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicates or self.order_violations or self.stray)

    @property
    def accounted(self) -> int:
        return self.delivered + self.dead_lettered


def count(ids: Mapping[str, Key], final: Sequence[Mapping[str, Any]],
          dead: Sequence[DeadLetter]) -> Tally:
    """Tally ``final`` (each message as first received, in order) and ``dead`` against the
    inputs; ``ids`` maps every message id of each input's chain to its (case, seq)."""
    want = set(ids.values())
    tally = Tally(expected=len(want))
    at_target: dict[Key, list[str]] = defaultdict(list)
    last_seq: dict[int, int] = {}
    for doc in final:
        key = ids.get(str(doc.get("message_id")))
        if key is None:
            tally.stray += 1
            continue
        at_target[key].append(str(doc.get("message_id")))
        case, seq = key
        if seq < last_seq.get(case, -1):  # an equal seq is a duplicate, counted below
            tally.order_violations.append(
                f"case {case}: seq {seq} arrived after seq {last_seq[case]} "
                f"(message {doc.get('message_id')})")
        last_seq[case] = max(seq, last_seq.get(case, -1))
    dead_by_key: dict[Key, list[DeadLetter]] = defaultdict(list)
    for letter in dead:
        found = letter.input_key(ids)
        if found is None:
            tally.stray += 1
            continue
        dead_by_key[found].append(letter)
        tally.dead_reasons[f"{letter.connector}: {letter.reason}"] += 1
    for key in sorted(want):
        got, letters = at_target.get(key, []), dead_by_key.get(key, [])
        if len(got) > 1:
            tally.duplicates.append(f"input {key}: delivered as {len(got)} messages {got}")
        if len(letters) > 1:  # a replay of each would deliver it twice
            tally.duplicates.append(f"input {key}: dead-lettered {len(letters)} times at "
                                    f"{letters[0].connector} ({letters[0].message_id})")
        if got and letters:
            tally.duplicates.append(f"input {key}: delivered ({got[0]}) and also dead-lettered "
                                    f"at {letters[0].connector}")
        if got:
            tally.delivered += 1
        elif letters:
            tally.dead_lettered += 1
        else:
            tally.lost.append(key)
    return tally


def render(tally: Tally, seconds: float, limit: int = 10) -> str:
    """The printed tally; at most ``limit`` examples of each violation."""
    lines = [f"expected            {tally.expected}",
             f"delivered once      {tally.delivered}",
             f"dead-lettered       {tally.dead_lettered}",
             f"lost                {len(tally.lost)}",
             f"duplicates          {len(tally.duplicates)}",
             f"order violations    {len(tally.order_violations)}",
             f"stray deliveries    {tally.stray}"]
    lines += [f"{name + ':':<24}{value}" for name, value in tally.counters.items()]
    lines += [f"dead letter reason  {n} x {reason}" for reason, n in tally.dead_reasons.items()]
    lines.append(f"time                {seconds:.1f} s")
    for title, items in (("lost", [f"input {k} (case, seq)" for k in tally.lost]),
                         ("duplicate", tally.duplicates), ("order", tally.order_violations)):
        lines += [f"{title}: {item}" for item in items[:limit]]
    lines.append("VERDICT             " + ("all accounted for" if tally.ok else "FAILED"))
    return "\n".join(lines)
