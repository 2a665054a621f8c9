"""Time `accessible build` three ways: cold, unchanged, and after editing one sentence.

    .venv/bin/python bench/bench_build.py [--lines N] [--voice baker] [--keep DIR]

Works on a copy of the sample in a temporary folder with its own clip cache, so the
first run synthesizes everything. ``--lines N`` keeps the first N lines of the raw
sample (it holds 8 copies of an 81-line report; the default takes them all, as `make demo` does).
The edit changes one sentence of chapter 三 in every copy, so ingest still sees
repeated copies. Prints the wall time of each run, what was synthesized and
encoded, and the load average (the machine is shared: compare runs made together).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from accessible.pipeline import build

SAMPLE = Path(__file__).resolve().parent.parent / "accessible" / "samples" / "hengshui-2017.txt"
EDIT = ("提高签约项目的履约率", "切实提高签约项目的履约率")


def run(label: str, source: Path, out: Path, cache: Path, voice: str) -> float:
    load = os.getloadavg()[0]
    t = time.perf_counter()
    summary = build(source, voice=voice, out_dir=out, cache_dir=cache)
    wall = time.perf_counter() - t
    print(
        f"{label:<14} {wall:7.1f} s  synthesized {summary.synthesized:4d}  reused {summary.reused:4d}  "
        f"encoded [{', '.join(summary.encoded)}]  epub {'written' if summary.epub_written else 'unchanged'}  "
        f"load {load:.1f}  stages {', '.join(f'{k} {v:.1f}' for k, v in summary.stages.items())}"
    )
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=81 * 8, help="lines of the raw sample to use")
    parser.add_argument("--voice", default="baker")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-build-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        text = "".join(SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)[: args.lines])
        source = work / "report.txt"
        source.write_text(text, encoding="utf-8")
        out, cache = work / "output", work / "cache"
        print(f"{len(text)} characters of input, {os.cpu_count()} cores")
        cold = run("first run", source, out, cache, args.voice)
        again = run("unchanged", source, out, cache, args.voice)
        if EDIT[0] in text:
            source.write_text(text.replace(EDIT[0], EDIT[1]), encoding="utf-8")
            edit = run("one sentence", source, out, cache, args.voice)
            print(f"ratios: unchanged/first {again / cold:.3f}, one-sentence/first {edit / cold:.3f}")
        else:
            print("(the excerpt does not reach the edited sentence: no edit run)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
