"""The dashboard's layout holds from 1280 to 1920 px wide and on a narrow window: measured in
Debian's Chromium on the dashboard of a real demo run (every shipped connector, real queue
names, poison messages in failure groups, one connector paused with a long reason, one whose
plugin refused its settings)."""

from __future__ import annotations

from typing import Any

import pytest

from hub.ops.pause import pause
from tests.hub.web.conftest import log_in

WIDE = [1280, 1360, 1440, 1600, 1920]
NARROW = [820, 400]
PAUSE_REASON = "KIS planned maintenance 02:00-04:00 (change CHG-20931), resume after their OK"

# Every block a person reads, with the box each one shows: clipped by a scrolling ancestor
# (a wide table scrolls inside its frame on a narrow window instead of running over the next).
MEASURE = """() => {
  const picked = Array.from(document.querySelectorAll(
      'main > *, main section, main table, main form, main .card, main h2'));
  const visible = (el) => {
    let r = el.getBoundingClientRect();
    let box = {l: r.left, t: r.top, r: r.right, b: r.bottom};
    for (let a = el.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
        const p = a.getBoundingClientRect();
        box = {l: Math.max(box.l, p.left), t: Math.max(box.t, p.top),
               r: Math.min(box.r, p.right), b: Math.min(box.b, p.bottom)};
      }
    }
    return box;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') +
      ' "' + (el.innerText || '').trim().split('\\n')[0].slice(0, 30) + '"';
  return {
    scroll: document.documentElement.scrollWidth,
    boxes: picked.map((el, i) => ({
      name: name(el), box: visible(el),
      related: picked.map((o, j) => j)
          .filter(j => picked[j].contains(el) || el.contains(picked[j])),
    })),
  };
}"""


def overlaps(measured: dict[str, Any]) -> list[str]:
    """Pairs of blocks, neither inside the other, whose visible boxes intersect."""
    boxes = measured["boxes"]
    found = []
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            if j in a["related"] or _empty(a["box"]) or _empty(b["box"]):
                continue
            if _intersect(a["box"], b["box"]):
                found.append(f"{a['name']} {_fmt(a['box'])} overlaps {b['name']} {_fmt(b['box'])}")
    return found


def _empty(box: dict[str, float]) -> bool:
    return box["r"] - box["l"] < 1 or box["b"] - box["t"] < 1


def _intersect(a: dict[str, float], b: dict[str, float], slack: float = 1.0) -> bool:
    return (min(a["r"], b["r"]) - max(a["l"], b["l"]) > slack
            and min(a["b"], b["b"]) - max(a["t"], b["t"]) > slack)


def _fmt(box: dict[str, float]) -> str:
    return f"[{box['l']:.0f},{box['t']:.0f} → {box['r']:.0f},{box['b']:.0f}]"


@pytest.mark.parametrize("width", WIDE + NARROW)
def test_no_dashboard_section_runs_over_another(showcase, browser, width):
    pause(showcase.driver.store, "kis", actor="maria.holm", reason=PAUSE_REASON)
    context = browser.new_context(viewport={"width": width, "height": 1000})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, showcase.url, showcase.user, showcase.password)
        page.wait_for_selector("#verdict")
        assert "since" in page.inner_text("#connectors")  # the paused connector's long row
        assert page.query_selector_all("#connectors tr") and page.query_selector("#groups")
        measured = page.evaluate(MEASURE)
    finally:
        context.close()
    assert len(measured["boxes"]) > 15
    assert overlaps(measured) == [], f"at {width} px"
    # nothing pushes the page sideways: a person never scrolls right to find a button
    assert measured["scroll"] <= width, f"at {width} px the page is {measured['scroll']} px wide"
