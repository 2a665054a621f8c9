"""Time the listen-along page of the whole sample: writing it, and opening it in Chromium.

    .venv/bin/python -m bench.bench_web        (or: .venv/bin/python bench/bench_web.py)

The sample is segmented and read by the speech layer (so the page carries pinyin), timed
as the audio stage would report it, with short stand-in MP3s (the page fetches audio only
on play). Prints `write_web` times (sentence and word sync) and, when Debian's Chromium is
there, the browser's own timings over several cold loads: DOM interactive, and the
player's `player-ready` mark (the page answers clicks and keys from then on). Also the
load average, since the machine is shared.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from accessible.layout import Layout  # noqa: E402
from accessible.segment import load_book  # noqa: E402
from accessible.speech import read_book  # noqa: E402
from accessible.outputs.web import write_web  # noqa: E402
from accessible.outputs.webserve import make_server  # noqa: E402

from web_book import timed_tracks  # noqa: E402

SAMPLE = ROOT / "accessible" / "samples" / "hengshui-2017.txt"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RUNS = 5


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values):.0f} ms, max {max(values):.0f} ms"


def main() -> None:
    book = read_book(load_book(SAMPLE))
    with tempfile.TemporaryDirectory() as tmp:
        layout = Layout.for_book(book, Path(tmp))
        tracks = timed_tracks(book, layout, audio_seconds=0.5)
        for sync in ("sentence", "word"):
            times = []
            for _ in range(RUNS):
                start = time.perf_counter()
                index = write_web(book, tracks, layout, sync=sync)
                times.append((time.perf_counter() - start) * 1000)
            print(f"write_web, {sync} sync: {ms(times)}; index.html {index.stat().st_size / 1024:.0f} KiB")
        if not Path(CHROMIUM).exists():
            print(f"no {CHROMIUM}: browser timings skipped (make browser)")
            return
        from playwright.sync_api import sync_playwright

        server = make_server(layout.web_dir)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/index.html"
        interactive, ready = [], []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(RUNS):
                context = browser.new_context()  # a cold load each time: no cache, no storage
                page = context.new_page()
                page.goto(url)
                page.wait_for_selector("html[data-player=ready]", state="attached")
                i, r = page.evaluate(
                    "[performance.getEntriesByType('navigation')[0].domInteractive,"
                    " performance.getEntriesByName('player-ready')[0].startTime]"
                )
                interactive.append(i)
                ready.append(r)
                context.close()
            browser.close()
        server.shutdown()
        print(f"Chromium, whole sample (word sync, {sum(1 for _ in book.sentences())} sentences), {RUNS} cold loads:")
        print(f"  DOM interactive: {ms(interactive)}")
        print(f"  player ready:    {ms(ready)}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
