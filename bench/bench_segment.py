"""Time `accessible segment` as a user runs it (process start included).

    .venv/bin/python -m bench.bench_segment        (or: .venv/bin/python bench/bench_segment.py)

Cases: the 8-copy sample (target < 2 s), and two 10 MB inputs written to a temporary
folder — the sample pasted ~200 times (ingest drops the copies) and 10 MB of distinct
paragraphs (every line made unique, so all of it is segmented). Prints the best and
the median of a few runs, and the load average, since the machine is shared.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "accessible" / "samples" / "hengshui-2017.txt"
CLI = Path(sys.executable).parent / "accessible"
TEN_MB = 10_000_000


def timed(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(CLI), *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def write_inputs(folder: Path) -> tuple[Path, Path]:
    copy = "\n".join(SAMPLE.read_text(encoding="utf-8").split("\n")[:81]) + "\n"
    copies = folder / "copies-10mb.txt"
    copies.write_text(copy * (TEN_MB // len(copy.encode()) + 1), encoding="utf-8")
    distinct = folder / "distinct-10mb.txt"
    lines, size, k = [], 0, 0
    while size < TEN_MB:
        k += 1
        for line in copy.split("\n"):
            # a unique tail on every long line, so no copy repeats another
            lines.append(line + f"第{k}稿。" if len(line) > 40 else line)
            size += len(lines[-1].encode()) + 1
    distinct.write_text("\n".join(lines), encoding="utf-8")
    return copies, distinct


def main() -> None:
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        copies, distinct = write_inputs(Path(tmp))
        cases = [
            ("sample (8 copies, 484 kB), outline", ["segment", str(SAMPLE)], 5),
            ("sample (8 copies, 484 kB), --json", ["segment", "--json", str(SAMPLE)], 5),
            ("sample pasted to 10 MB, outline", ["segment", str(copies)], 3),
            ("10 MB distinct text, outline", ["segment", str(distinct)], 3),
            ("10 MB distinct text, --json (jieba on 3.3 M characters)", ["segment", "--json", str(distinct)], 1),
        ]
        for name, args, runs in cases:
            times = timed(args, runs)
            print(f"{name:58s} best {min(times):6.2f} s  median {statistics.median(times):6.2f} s  ({runs} runs)")
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
