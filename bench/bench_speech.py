"""Normalizing + pinyin for the whole raw 8-copy sample, sentence by sentence.

    .venv/bin/python bench/bench_speech.py

Every piece is read (no cache per distinct text, unlike read_book), so the eight
copies cost eight times one; word-level caches inside the speech stage stay on, as
in real use. The one-time start-up (jieba's dictionary, pypinyin) is timed apart; CPU time is
printed too, since the machine is shared and wall time swings with its load.
Target: under 3 s for the whole file (issue 12), start-up included.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "accessible" / "samples" / "hengshui-2017.txt"


def main() -> None:
    t0, c0 = time.perf_counter(), time.process_time()
    from accessible.speech import read_sentence

    read_sentence("启动：银行增长1.5%。")  # loads jieba's dictionary and the tables
    t1 = time.perf_counter()
    text = SAMPLE.read_text(encoding="utf-8")
    pieces = [p for p in re.split(r"(?<=[。；])|\n", text) if p.strip()]
    syllables = sum(len(read_sentence(p).syllables) for p in pieces)
    t2, c2 = time.perf_counter(), time.process_time()
    load = os.getloadavg()[0]
    print(f"start-up {t1 - t0:.2f} s; {len(pieces)} sentences, {len(text)} characters, "
          f"{syllables} syllables in {t2 - t1:.2f} s ({len(text) / (t2 - t1):,.0f} characters/s); "
          f"total {t2 - t0:.2f} s wall, {c2 - c0:.2f} s CPU; load average {load:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
