"""What a build costs against the voice alone: `python -m bench build [--lines N] [--long MIN]`.

On a copy of the sample in a temporary folder, each run a separate process (so that its
peak memory is its own):
1. the voice alone: `accessible synth` on an empty clip cache;
2. the full build on another empty cache (every format), and its ratio to 1.;
3. the build again with nothing changed (no-op: what is reused is verified, size + sha256);
4. one sentence edited in each chapter `EDITS` names that the text reaches: ratio to 2.;
then meters every audio file of the book (loudness, true peak: the encoder does not).
``--long MIN`` instead builds a synthetic book of one chapter of MIN minutes (eight
sentences in ever new orders: their clips are made first, so the peaks are the audio
stage's, not the voice model's) with its audio formats, and a 20-minute one, and prints
both peaks: memory must not grow with a chapter's length.
Prints the load average: the machine is shared, so compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "accessible" / "samples" / "hengshui-2017.txt"
# (chapter, the sentence's words before, after): each edit makes one sentence new. On the
# whole sample 四 is a short chapter and 三 the longest (38 min); an excerpt (--lines 34)
# reaches 一 (short) and 二 (its longest).
EDITS = (
    ("一", "综合实力显著增强", "综合实力明显增强"),
    ("二", "完善各项规划", "完善各类规划"),
    ("四", "深入一线调查研究", "坚持深入一线调查研究"),
    ("三", "提高签约项目的履约率", "切实提高签约项目的履约率"),
)

_BUILD = """
import json, sys
from pathlib import Path
from accessible.pipeline import build
s = build(Path(sys.argv[1]), out_dir=Path(sys.argv[2]), cache_dir=Path(sys.argv[3]), formats=sys.argv[4].split(","))
_rep = {"seconds": s.seconds, "stages": s.stages, "peaks": s.peaks, "synthesized": s.synthesized, "encoded": s.encoded,
        "epub": s.epub, "folder": str(s.folder)}
"""


@dataclass(frozen=True)
class Run:
    wall: float  # s, the whole process
    cpu: float  # s, user + system of the process and its children (ffmpeg)
    peak_mb: float  # the process's peak resident memory
    report: dict  # what the build said about itself (empty for synth)


def run(cmd: list[str]) -> Run:
    """``cmd`` as a child process: its wall time, CPU (with its own children) and peak RSS."""
    before = os.times()
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    wall = time.perf_counter() - t
    after = os.times()
    if proc.returncode:
        sys.exit(f"{' '.join(cmd[:4])} failed:\n{err[-3000:]}")
    # RUSAGE_CHILDREN's peak is the largest child's so far, not this one's: the child
    # reports its own (see _PEAK); its ffmpeg children are far smaller.
    lines = [line for line in out.splitlines() if line.startswith("{")]
    report = json.loads(lines[-1]) if lines else {}
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return Run(wall, cpu, float(report.get("peak_mb", 0.0)), report)


# Appended to every child: its own peak RSS (ru_maxrss, kB on Linux) as the last JSON line.
_PEAK = """
import json as _j, resource as _r
print(_j.dumps({**globals().get("_rep", {}), "peak_mb": _r.getrusage(_r.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def build_cmd(source: Path, out: Path, cache: Path, formats: str) -> list[str]:
    return [sys.executable, "-c", _BUILD + _PEAK, str(source), str(out), str(cache), formats]


def synth_cmd(source: Path, out: Path, cache: Path) -> list[str]:
    code = (
        "import sys\nfrom accessible.cli import app\n"
        "try:\n    app(['synth', sys.argv[1], '--out', sys.argv[2], '--cache', sys.argv[3], '--no-progress'])\n"
        "except SystemExit as e:\n    assert not e.code, e.code\n"
    )
    return [sys.executable, "-c", code + _PEAK, str(source), str(out), str(cache)]


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def line(label: str, r: Run, base: float | None = None) -> str:
    stages = ", ".join(f"{k} {v:.1f}" for k, v in r.report.get("stages", {}).items())
    ratio = f"  = {r.wall / base:.3f} x" if base else ""
    inner = f"  (in the build {r.report['seconds']:.1f} s: {stages})" if "seconds" in r.report else ""
    if r.report.get("peaks"):  # which stage set the peak
        inner += "  peak MB by the end of " + ", ".join(f"{k} {v:.0f}" for k, v in r.report["peaks"].items())
    return f"{label:<22} {r.wall:7.1f} s wall{ratio}  cpu {r.cpu:6.1f} s  peak {r.peak_mb:5.0f} MB{inner}  [{load()}]"


def meter(folder: Path) -> list[str]:
    """Loudness and true peak of every audio file of the book, as a player decodes it."""
    from accessible import ffmpeg

    rows = []
    for path in sorted(folder.glob("audio/*.mp3")) + sorted(folder.glob("*.m4b")):
        loud = ffmpeg.meter_file(path).loudness
        ok = abs(loud.integrated + 18.0) <= 0.5 and loud.true_peak <= -1.5
        rows.append(f"  {path.name:<44} {loud.integrated:6.1f} LUFS {loud.true_peak:6.1f} dBTP  {'ok' if ok else 'OFF TARGET'}")
    return rows


def bench_sample(work: Path, lines: int) -> None:
    text = "".join(SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)[:lines])
    source = work / "report.txt"
    source.write_text(text, encoding="utf-8")
    print(f"{len(text)} characters of input, {os.cpu_count()} cores, {load()}", flush=True)
    voice = run(synth_cmd(source, work / "synth-out", work / "cache-voice"))
    print(line("voice alone (synth)", voice), flush=True)
    out, cache, formats = work / "out", work / "cache", "audio,m4b,epub,web,braille"
    full = run(build_cmd(source, out, cache, formats))
    print(line("full build", full, voice.wall), flush=True)
    print(f"  full/voice = {full.wall / voice.wall:.3f} wall (target <= 1.3); in CPU-seconds {full.cpu / voice.cpu:.3f} "
          "(steadier on a shared machine)", flush=True)  # fmt: skip
    noop = run(build_cmd(source, out, cache, formats))
    print(line("no-op rebuild", noop), flush=True)
    print(f"  no-op inside the build {noop.report['seconds']:.2f} s (target <= 2), process {noop.wall:.1f} s", flush=True)
    peak = max(voice.peak_mb, full.peak_mb, noop.peak_mb)
    for chapter, before, after in EDITS:
        if before not in text:
            print(f"(the excerpt does not reach chapter {chapter}: no edit there)")
            continue
        text = text.replace(before, after)
        source.write_text(text, encoding="utf-8")
        edit = run(build_cmd(source, out, cache, formats))
        peak = max(peak, edit.peak_mb)
        print(line(f"edit in {chapter}", edit), flush=True)
        print(f"  one-sentence edit / full = {edit.wall / full.wall:.3f} wall (target <= 0.06), {edit.cpu / full.cpu:.3f} CPU; "
              f"encoded {edit.report['encoded']}, synthesized {edit.report['synthesized']}", flush=True)  # fmt: skip
    print(f"peak RSS of any run {peak:.0f} MB (target <= 500)")
    print("audio files, metered after the build:")
    print("\n".join(meter(Path(full.report["folder"]))))


_SENTENCES = (
    "全市经济运行稳中有进，质量效益明显提升。", "我们坚持稳中求进工作总基调，扎实推进各项改革。",
    "城乡居民收入增长与经济增长基本同步。", "生态环境质量持续改善，人民群众获得感不断增强。",
    "新型城镇化建设加快推进，城乡面貌焕然一新。", "社会事业全面发展，民生保障水平稳步提高。",
    "政府自身建设不断加强，依法行政能力明显提高。", "对外开放水平进一步提升，发展活力持续增强。",
)  # fmt: skip


def long_book(minutes: float | None) -> str:
    """A report of one chapter about ``minutes`` long (None: every sentence once, to fill
    the clip cache): paragraphs of four of eight sentences, each paragraph a different order
    (ingest drops repeated paragraphs), so the voice has only eight sentences to say."""
    orders = itertools.permutations(_SENTENCES, 4)
    paragraphs = ["".join(_SENTENCES)] if minutes is None else ["".join(next(orders)) for _ in range(round(minutes * 60 / 22))]
    return "长篇测试报告\n一、工作回顾\n" + "\n".join(paragraphs) + "\n"  # measured: about 22 s a paragraph


def bench_long(work: Path, minutes: float) -> None:
    print(f"{os.cpu_count()} cores, {load()}", flush=True)
    cache = work / "cache"
    source = work / "sentences.txt"
    source.write_text(long_book(None), encoding="utf-8")
    print(line("the voice, once", run(build_cmd(source, work / "out-voice", cache, "audio"))), flush=True)
    peaks = {}
    for length in (20.0, minutes):
        source = work / f"long-{length:g}.txt"
        source.write_text(long_book(length), encoding="utf-8")
        r = run(build_cmd(source, work / f"out-{length:g}", cache, "audio,m4b"))
        peaks[length] = r.peak_mb
        print(line(f"{length:g}-minute chapter", r), flush=True)
    print(f"peak RSS {peaks[minutes]:.0f} MB for {minutes:g} min against {peaks[20.0]:.0f} MB for 20 min "
          f"(must not be higher: {'ok' if peaks[minutes] <= peaks[20.0] * 1.02 else 'HIGHER'})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=81 * 8, help="lines of the raw sample to use (default: all)")
    parser.add_argument("--long", type=float, help="instead, a synthetic book of one chapter this many minutes long")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-build-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        bench_long(work, args.long) if args.long else bench_sample(work, args.lines)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
