"""``scripts/screenshots`` (this file, run by the .venv's Python): the pictures in docs/ made
from a real run, by anyone, again. A development tool, outside ``hub``: it needs Playwright
(the ``test`` extra), which the hub itself never does.

Runs the demo, keeps its hub, simulators and store up, serves the ops web on that store, logs
in as an operator in Chromium (Playwright, from the ``test`` extra) and saves the dashboard
and the case page of one of the run's cases.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import click

CHROMIUM = "/usr/bin/chromium"
RUN_DIR = Path("var/screenshots-run")  # removed after the run unless --keep
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]


@click.command()
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("docs"),
              show_default=True, help="where dashboard.png and case-page.png go")
@click.option("--cases", default=40, show_default=True, type=click.IntRange(1, 5000),
              help="cases the demo plays")
@click.option("--seed", default=1, show_default=True, type=int, help="the mix of cases")
@click.option("--width", default=1440, show_default=True, type=click.IntRange(320, 3840),
              help="browser window width in px")
@click.option("--chromium", default=CHROMIUM, show_default=True,
              type=click.Path(path_type=Path, dir_okay=False),
              help="the Chromium binary (Debian: apt-get install chromium)")
@click.option("--keep", type=click.Path(path_type=Path, file_okay=False),
              help="keep the run's store, broker file and log in DIR (new or empty)")
def main(out: Path, cases: int, seed: int, width: int, chromium: Path,
         keep: Path | None) -> None:
    """Run a demo and screenshot the real dashboard and a real case's page into OUT."""
    if not chromium.exists():
        raise click.ClickException(f"no Chromium at {chromium}: install it (apt-get install "
                                   "chromium) or give --chromium PATH")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        raise click.ClickException("Playwright is missing: pip install -e '.[test]'") from exc
    if keep is not None and keep.exists() and any(keep.iterdir()):
        raise click.UsageError(f"--keep {keep}: the directory must be new or empty")
    # A plain relative path by default: the dashboard shows the broker's path, and a picture
    # in docs/ should show what a newcomer's run shows (var/...), not a random temp name.
    workdir = keep or RUN_DIR
    if keep is None:
        shutil.rmtree(RUN_DIR, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    try:
        shots = _run(workdir, out, cases=cases, seed=seed, width=width, chromium=chromium)
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    for shot in shots:
        click.echo(f"wrote {shot}")


def _run(workdir: Path, out: Path, *, cases: int, seed: int, width: int,
         chromium: Path) -> list[Path]:
    from hub.demo.run import logs_to
    from hub.demo.showcase import demo_with_web

    click.echo(f"gridhub screenshots: playing {cases} demo cases (log in "
               f"{workdir / 'gridhub.log'}) ...", err=True)
    with logs_to(workdir / "gridhub.log"), demo_with_web(workdir, cases=cases,
                                                         seed=seed) as show:
        if not show.summary.ok:
            raise click.ClickException("the demo run was not accounted for; no screenshots "
                                       "of it (run gridhub demo to see why)")
        case_id = _interesting_case(show)
        return _shoot(show, case_id, out, width=width, chromium=chromium)


def _interesting_case(show: Any) -> str:
    """A Swedish case that went through the most (the slowest case if none)."""
    plans = [p for p in show.played.plans if p.case_id.startswith("SE-")]
    ranked = sorted(plans, key=lambda p: (-len(p.done), p.case_id))
    if ranked:
        return str(ranked[0].case_id)
    return str(show.summary.slowest.case_id)


def _shoot(show: Any, case_id: str, out: Path, *, width: int, chromium: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    dashboard, case_page = out / "dashboard.png", out / "case-page.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.set_default_timeout(30_000)
            page.goto(f"{show.url}/")
            page.fill("input[name=username]", show.user)
            page.fill("input[name=password]", show.password)
            page.click("button[type=submit]")
            page.wait_for_selector("#verdict")
            page.screenshot(path=str(dashboard), full_page=True)
            page.goto(f"{show.url}/trace?key={case_id}")
            page.wait_for_selector(f"#story-{case_id}")
            page.screenshot(path=str(case_page), full_page=True)
        finally:
            browser.close()
    return [dashboard, case_page]


if __name__ == "__main__":
    sys.exit(main(prog_name="scripts/screenshots"))
