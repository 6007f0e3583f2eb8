"""py-spy on a contender process, and a short summary of where its time went.

``py-spy record --format raw`` writes one line per distinct stack, ``frame;frame;... count``
with the outermost frame first. The summary gives, for the stacks through one function (the
hub's consumer loop), the share of samples that pass through each function (inclusive) and
the functions samples end in (self).
Idle samples are kept (``--idle``): waiting for the broker's confirms or for the database's
commit is time the hub stage spends too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]*)(?::\d+)?\)$")


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise RuntimeError("py-spy is not installed: .venv/bin/pip install py-spy")
    return found


def record(pid: int, seconds: float, output: Path, rate: int = 250) -> subprocess.Popen[bytes]:
    """Start sampling ``pid`` for ``seconds`` in the background; wait on the returned process."""
    return subprocess.Popen(
        [py_spy(), "record", "--pid", str(pid), "--duration", str(max(1, round(seconds))),
         "--rate", str(rate), "--format", "raw", "--idle", "--nonblocking",
         "--output", str(output)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _name(frame: str) -> str:
    """``func (module/file.py)`` without the line number, the path shortened to the package."""
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match.group("file")
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match.group('func')} ({path})"


def summarize(raw: Path, focus: str = "BatchConsumer.run", top: int = 25) -> str:
    """Inclusive and self shares of the samples whose stack passes through ``focus`` (the
    hub's consumer thread by default; "" for every sample)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = stack.split(";")
        if focus and not any(focus in f for f in frames):
            continue
        count = int(count_text)
        total += count
        names = [_name(f) for f in frames]
        for name in set(names):
            inclusive[name] += count
        own[names[-1]] += count
    if not total:
        return f"no samples through {focus!r} in {raw}"
    lines = [f"{total} samples through {focus!r}", "", "inclusive:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    lines += ["", "self:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Summarise a py-spy raw profile.")
    parser.add_argument("raw", type=Path)
    parser.add_argument("--focus", default="BatchConsumer.run",
                        help="only stacks through this function ('' for all)")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    print(summarize(args.raw, args.focus, args.top))


if __name__ == "__main__":
    main()
