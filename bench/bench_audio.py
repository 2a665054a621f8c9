"""What the audiobook stage costs and how exact its files are, on the real offline voice.

    .venv/bin/python bench/bench_audio.py [sentences-per-section]

Synthesizes an excerpt of the sample report, builds the audiobook into a temporary
folder and prints: build time per minute of audio (assembly, loudness, MP3, M4B),
loudness and true peak of every file as ffmpeg meters it, and the timing of the
encoded files against the PCM they were made from — as ffmpeg decodes them (gapless
information applied) and as a player that ignores it would (LAME header / edit list).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from accessible import ffmpeg  # noqa: E402
from accessible.audio.assemble import assemble, reading_plan  # noqa: E402
from accessible.audio.audiobook import build_audiobook  # noqa: E402
from accessible.layout import Layout  # noqa: E402
from accessible.audio.loudness import apply_gain, to_pcm16  # noqa: E402
from accessible.audio.tracks import Manifest  # noqa: E402
from accessible.voices import load_voice  # noqa: E402
from audio_helpers import excerpt  # noqa: E402


def lag(decoded: np.ndarray, source: np.ndarray) -> int:
    a, b = decoded.astype(np.float64), source.astype(np.float64)
    n = 1 << int(np.ceil(np.log2(len(a) + len(b))))
    corr = np.fft.irfft(np.fft.rfft(a, n) * np.conj(np.fft.rfft(b, n)), n)
    k = int(np.argmax(corr))
    return k if k < n // 2 else k - n


def decode_raw(path: Path, pre: list[str]) -> np.ndarray:
    out = ffmpeg.run([*pre, "-i", str(path), "-f", "s16le", "-ac", "1", "pipe:1"], what=str(path))
    return np.frombuffer(out, "<i2")


def main() -> None:
    from accessible.engines.baker import BakerEngine
    from accessible.segment import load_book
    from accessible.speech import read_book

    per_section = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    voice = load_voice("baker")
    book = read_book(excerpt(load_book("accessible/samples/hengshui-2017.txt"), chapters=5, sentences=per_section))
    engine = BakerEngine()
    t0 = time.perf_counter()
    clips = {s.id: engine.synthesize(s, voice) for s in book.sentences()}
    synth = time.perf_counter() - t0
    audio_min = sum(c.duration for c in clips.values()) / 60
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"excerpt: {len(clips)} sentences, {audio_min:.2f} min of clips, synthesized in {synth:.1f} s")

    with tempfile.TemporaryDirectory() as out:
        layout = Layout.for_book(book, Path(out))
        t0 = time.perf_counter()
        tracks = build_audiobook(book, clips, voice, layout, m4b=False).tracks
        chapters_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        build_audiobook(book, clips, voice, layout)
        m4b_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        build_audiobook(book, clips, voice, layout)
        noop_s = time.perf_counter() - t0
        total_min = sum(t.duration for t in tracks) / 60
        print(f"book audio {total_min:.2f} min: chapters (assemble+loudness+MP3+tags) {chapters_s:.2f} s "
              f"= {chapters_s / total_min:.2f} s per audio minute; M4B {m4b_s:.2f} s = {m4b_s / total_min:.2f} s/min; "
              f"unchanged rebuild {noop_s:.3f} s")

        manifest = Manifest.load(layout)
        print("\nchapter        gain dB  file LUFS  file dBTP  ffmpeg lag/len  no-header lag/extra  mutagen length - true")
        sources = []
        for chapter, track in zip(book.chapters, tracks):
            entry = manifest.chapters[chapter.id]
            source = to_pcm16(apply_gain(assemble(reading_plan(chapter, voice.pauses), clips).pcm / 32768.0, entry.gain_db))
            source = np.pad(source, (0, round(track.duration * entry.sample_rate) - len(source)))
            sources.append(source)
            path = layout.root / track.path
            loud = ffmpeg.meter_file(path).loudness
            decoded = decode_raw(path, [])
            raw = decode_raw(path, ["-flags2", "+skip_manual"])
            print(f"{chapter.id:<14} {entry.gain_db:+7.2f}  "
                  f"{loud.integrated:9.1f}  {loud.true_peak:9.1f}  {lag(decoded, source):5d}/{len(decoded) - len(source):+d}"
                  f"  {lag(raw, source):10d}/{len(raw) - len(source):+6d}      {MP3(path).info.length - track.duration:+.4f} s")
        source = np.concatenate(sources)
        loud = ffmpeg.meter_file(layout.m4b).loudness
        decoded = decode_raw(layout.m4b, [])
        raw = decode_raw(layout.m4b, ["-ignore_editlist", "1"])
        print(f"{'m4b':<14} {'':7}  {loud.integrated:9.1f}  {loud.true_peak:9.1f}  "
              f"{lag(decoded, source):5d}/{len(decoded) - len(source):+d}  {lag(raw, source):10d}/{len(raw) - len(source):+6d}"
              f"      {MP4(layout.m4b).info.length - len(source) / 24000:+.4f} s")
        sizes = {p.name: p.stat().st_size for p in layout.audio_dir.glob("*.mp3")}
        print(f"\nMP3 size: {sum(sizes.values()) / total_min / 1e6 * 60:.1f} MB per hour; M4B {layout.m4b.stat().st_size / total_min / 1e6 * 60:.1f} MB per hour")


if __name__ == "__main__":
    main()
