"""Synthesize the whole sample (one copy) with the offline voice: real-time factor and peak memory.

    .venv/bin/python -m bench.bench_synth                   (the default: 2 workers x 1 LiteRT thread)
    .venv/bin/python -m bench.bench_synth --workers 1 --threads 2
    .venv/bin/python -m bench.bench_synth --chapter 1       (one chapter only, for quick comparisons)

Runs the real synthesize stage (segment + speech first, not timed) into an empty
temporary cache, so every sentence is synthesized. RTF = synthesis wall time / audio
duration; targets on these 2-core machines: RTF <= 0.05, peak RSS <= 700 MB. The
machine is shared, so the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from accessible.cache import ClipCache
from accessible.engines.baker import BakerEngine
from accessible.segment import load_book
from accessible.speech import load_lexicon, read_book
from accessible.synth import synthesize_book
from accessible.voices import load_voice

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "accessible" / "samples" / "hengshui-2017.txt"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=None, help="synthesize calls at once (default: the engine's)")
    parser.add_argument("--threads", type=int, default=1, help="LiteRT threads per interpreter")
    parser.add_argument("--chapter", type=int, action="append", help="only this chapter (repeatable)")
    args = parser.parse_args()

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    voice = load_voice("baker")
    book = read_book(load_book(SAMPLE), load_lexicon(voice.lexicon) if voice.lexicon else None)
    sentences = [s for c in book.chapters if not args.chapter or c.number in args.chapter for s in c.sentences()]
    characters = sum(len(s.text) for s in sentences)
    engine = BakerEngine(workers=args.workers or 2, threads=args.threads)
    rss_before = peak_rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        start, cpu_start = time.perf_counter(), cpu_seconds()
        result = synthesize_book(book, voice, ClipCache(Path(tmp)), args.chapter, engine=engine, progress=False)
        wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
        audio = sum(result.clips[s.id].duration for s in sentences)
    print(f"workers {engine.max_workers} x LiteRT threads {args.threads}: {len(sentences)} sentences, "
          f"{characters} characters, {result.synthesized} clips synthesized")
    print(f"audio {audio / 60:.1f} min in {wall:.1f} s: RTF {wall / audio:.4f}, {characters / wall:.0f} characters/s")
    print(f"CPU time {cpu:.1f} s = {cpu / audio:.4f} CPU-seconds per audio second (less sensitive to the load)")
    print(f"peak RSS {peak_rss_mb():.0f} MB (after loading text and speech: {rss_before:.0f} MB)")
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
