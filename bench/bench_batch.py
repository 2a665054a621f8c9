"""What a batch costs: each job's CPU time per hour of audio, and Ray's overhead per task.

    .venv/bin/python -m bench batch [--lines N] [--ray ADDRESS]

Runs the batch's three jobs (accessible/batch/jobs.py) in this process on the first N
lines of the sample (one copy of the report is 81 lines), into an empty cache: `prepare`
(ingest, segment, speech), `synthesize` over every batch (one thread, as a batch worker
runs it), then `package` (`build`, every clip in the cache). It prints CPU seconds (this
process and the ffmpeg processes it ran) rather than wall time: the machine is shared,
and CPU time is what says how many cores a thousand books need.

With ``--ray ADDRESS`` (a cluster started with `ray start`), the overhead of the batch's
own Ray path (`workers.RayWorkers`): one task's round trip, the pace of many, and a
batch's worth of clips (6 MB) coming back.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from accessible.batch.jobs import Made, Settings, package, prepare, run, synthesize
from accessible.batch.workers import RayWorkers
from accessible.cache import decode_clip
from accessible.voices import load_voice

from .bench_synth import SAMPLE, peak_rss_mb


def cpu() -> float:
    """CPU seconds of this process and of its finished children (ffmpeg)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def jobs(lines: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        source = work / "report.txt"
        source.write_text("".join(SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)[:lines]), encoding="utf-8")
        voice = load_voice("baker")
        settings = Settings(voice, None, None, "sentence", ("audio", "m4b", "epub", "web"), work / "cache")
        t = cpu()
        plan = prepare(source, settings)
        read = cpu() - t
        t, first = cpu(), time.perf_counter()
        made: list[Made] = []
        for i, batch in enumerate(plan.batches):
            made.append(synthesize(batch, voice, None, plan.identity, work / "cache", ".none"))
            if i == 0:
                load = time.perf_counter() - first  # includes loading the model
        voiced = cpu() - t
        audio = sum(decode_clip(data).duration for m in made for data in m.clips.values())
        t = cpu()
        summary = package(source, work / "out", settings)
        packaged = cpu() - t
        hours = summary.duration / 3600
        print(f"{plan.characters} characters, {len(plan.batches)} batches, {summary.duration / 60:.1f} min of audio "
              f"({audio / 60:.1f} min of clips), first batch with the model load {load:.1f} s wall")  # fmt: skip
        for name, seconds in (("prepare", read), ("synthesize", voiced), ("package", packaged)):
            print(f"  {name:<11} {seconds:7.1f} CPU s   {seconds / hours:7.0f} CPU s per hour of audio")
        print(f"  peak RSS of this process (one voice loaded, one thread): {peak_rss_mb():.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _wait(pool: RayWorkers, count: int) -> None:
    done = 0
    while done < count:
        done += len(pool.poll(1.0))


def ray_overhead(address: str) -> None:
    pool = RayWorkers(address)
    try:
        cores = pool.size
        for i in range(2 * cores):  # start the workers
            pool.submit(i, int, "1")
        _wait(pool, 2 * cores)
        t = time.perf_counter()
        for i in range(20):
            pool.submit(i, int, "1")
            _wait(pool, 1)
        one = (time.perf_counter() - t) / 20
        t = time.perf_counter()
        for i in range(400):
            pool.submit(i, int, "1")
        _wait(pool, 400)
        many = (time.perf_counter() - t) / 400
        t = time.perf_counter()
        for i in range(10):
            pool.submit(i, os.urandom, 6_000_000)
        _wait(pool, 10)
        transfer = (time.perf_counter() - t) / 10
        print(f"Ray at {address}, {cores} cores: one task's round trip {one * 1000:.0f} ms (polled every second at most); "
              f"400 empty tasks {many * 1000:.1f} ms each; a 6 MB result {transfer * 1000:.0f} ms each")  # fmt: skip
    finally:
        pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=81, help="lines of the raw sample (81: the whole report once; 0: skip the jobs)")
    parser.add_argument("--ray", help="also measure the overhead of a Ray cluster at this address")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    if args.lines:
        jobs(args.lines)
    if args.ray:
        ray_overhead(args.ray)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
