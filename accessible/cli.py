"""The `accessible` command line.

Every command reports bad input as one line on stderr with exit code 2; finished
work (cached clips, written files) is never lost, so a failed or interrupted run
can simply be started again.
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console

from .errors import AccessibleError, InputError

if TYPE_CHECKING:  # the commands import what they need when they run: startup stays fast
    from .model import Book, Sentence
    from .outputs.braille import BrailleOptions
    from .voices import Voice

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
log = logging.getLogger("accessible")
_BRAILLE_HELP = "common (国家通用盲文, tones written) or current (现行盲文, no tones)."


class _App(typer.Typer):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except AccessibleError as e:
            err.print(f"[bold red]error:[/] {e}", markup=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            err.print("interrupted: finished work is kept; run the same command again to resume")
            sys.exit(130)


app = _App(
    name="accessible",
    help="Turn a Chinese report into an audiobook and an accessible EPUB 3 with synchronized audio.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


# Options that `build` and `batch` share, declared once.
VoiceOption = Annotated[str, typer.Option("--voice", help="Voice profile name (built in, or a file in ./voices/) or a .toml file.")]
SyncOption = Annotated[str, typer.Option("--sync", help="Highlight unit in the EPUB and web page: sentence or word.")]
RubyOption = Annotated[bool, typer.Option("--ruby", help="Pinyin over the words a reader could misread, in the EPUB too (the web page always has it).")]
FormatsOption = Annotated[
    str, typer.Option("--formats", help="Comma-separated outputs among audio,m4b,epub,web,braille (audio, epub or web bring the chapter MP3s and captions).")
]
DEFAULT_FORMATS = "audio,m4b,epub,web,braille"
LexiconOption = Annotated[Optional[Path], typer.Option("--lexicon", help="A pronunciation lexicon (TOML) over the voice's own.")]
FallbackOption = Annotated[
    Optional[str], typer.Option("--fallback", help="A voice that speaks the sentences --voice cannot (e.g. baker when the online voice is unreachable).")
]

BrailleOption = Annotated[str, typer.Option("--braille", help=_BRAILLE_HELP)]
CellsOption = Annotated[int, typer.Option("--cells", help="Braille cells per line (BRF/PEF).")]
LinesOption = Annotated[int, typer.Option("--lines", help="Braille lines per page, the page-number line included.")]


def _format_list(formats: str) -> list[str]:
    return [f.strip() for f in formats.split(",") if f.strip()]


class _OneLine(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        level = {"WARNING": "[yellow]warning:[/] ", "ERROR": "[red]error:[/] "}.get(record.levelname, "")
        err.print(level + self.format(record).replace("[", "\\["), markup=True)


def _print_version(wanted: bool) -> None:
    if wanted:
        from importlib.metadata import version

        out.print(f"accessible {version('accessible')}", markup=False)
        raise typer.Exit()


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="Say more about each stage.")] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Only errors.")] = False,
    _version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    handler = _OneLine()
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.ERROR if quiet else logging.DEBUG if verbose else logging.INFO)


@app.command()
def segment(
    file: Annotated[Path, typer.Argument(help="The report: text (UTF-8, UTF-16, GB18030/GBK), PDF, Word .docx, web page or EPUB.")],
    title: Annotated[Optional[str], typer.Option("--title", help="Book title (default: inferred from the text).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole book as JSON instead of the outline.")] = False,
) -> None:
    """Show how FILE is cut into chapters, sections, paragraphs and sentences.

    FILE may be text, a PDF, a Word .docx, a saved web page or an EPUB (told apart by
    content). The text is cleaned first (encoding, full-width digits, running headers
    and footers, a page's navigation, web watermarks, photo captions, repeated copies,
    hard line wraps), with a warning for everything removed. The outline lists each
    chapter and section with its id (c03, c03-s02) and its counts, and the print pages
    of a PDF or Word file; --json prints the whole book: every sentence with its id
    (c03-s02-p004-t007), text, jieba word spans and clause offsets, and the pages.
    """
    from .segment import load_book

    book = load_book(file, title, words=as_json)
    if as_json:
        import dataclasses
        import json

        # compact: indented, the word spans of a large report make the output five times bigger
        print(json.dumps(dataclasses.asdict(book), ensure_ascii=False, separators=(",", ":")))
        return
    _print_outline(book)


def _print_outline(book: Book) -> None:
    from rich.table import Table

    table = Table(title=f"{book.title}  {book.author}  {book.date}".strip(), title_justify="left")
    for name in ("id", "heading", "paragraphs", "sentences", "characters"):
        table.add_column(name, justify="right" if name not in ("id", "heading") else "left")

    def row(ident: str, heading: str, paragraphs: int, sentences: list[Sentence], style: str = "") -> None:
        chars = sum(len(t.text) for t in sentences)
        table.add_row(ident, heading, str(paragraphs), str(len(sentences)), str(chars), style=style)

    for chapter in book.chapters:
        title = chapter.title or ("(front matter)" if chapter.kind == "front" else "(untitled)")
        paragraphs = sum(len(s.paragraphs) for s in chapter.sections)
        row(chapter.id, title, paragraphs, list(chapter.sentences()), style="bold")
        for s in chapter.sections:
            if s.heading:
                row(s.id, "  " + s.title, len(s.paragraphs), [s.heading, *(t for p in s.paragraphs for t in p.sentences)])
    out.print(table)
    total = list(book.sentences())
    pages = f", {len(book.pages)} print pages" if book.pages else ""
    out.print(f"{len(book.chapters)} chapters, {len(total)} sentences, {sum(len(t.text) for t in total)} characters{pages}")


# A mistyped file name must not be read aloud: an argument without a single Chinese
# character that has a folder in it or ends in a file extension is a path, not a sentence
# ("PM2.5" and "GDP增长8%" stay sentences).
_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003ffff]")
_PATH_LIKE = re.compile(r"[/\\]|\.[A-Za-z][A-Za-z0-9]{0,4}$")


def _names_a_file(source: str) -> bool:
    """Whether ``read``'s argument is a file to read (True) or the text itself (False);
    InputError for the name of a file that does not exist."""
    try:
        if Path(source).is_file():
            return True
    except (OSError, ValueError):  # a name too long for the file system, a NUL: text
        return False
    if not _HAN.search(source) and _PATH_LIKE.search(source.strip()):
        raise InputError(f"{source}: no such file (to proofread a sentence, give the sentence itself in quotes)")
    return False


@app.command()
def read(
    source: Annotated[str, typer.Argument(help="A sentence in quotes, or a report file.")],
    chapter: Annotated[Optional[int], typer.Option("--chapter", "-c", help="Only this chapter of FILE (0 = front matter).")] = None,
    voice: Annotated[str, typer.Option("--voice", help="Use this voice profile's lexicon.")] = "baker",
    lexicon: Annotated[Optional[list[Path]], typer.Option("--lexicon", "-l", help="A lexicon TOML to apply on top (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per sentence (one per line).")] = False,
    warn: Annotated[bool, typer.Option("--warn", help="Only report what no rule knew (numbers read digit by digit, signs not said) and polyphones read by default; exit 0.")] = False,
) -> None:
    """Proofread how text will be spoken: original → spoken form → pinyin, per sentence.

    Rewritten spans are highlighted (yellow: a reading rule, cyan: the lexicon, red:
    unknown: numbers read digit by digit, signs no rule or table reads). With --warn
    only those unknown expressions, and the polyphonic characters that no phrase or
    rule decided, are listed, as warnings, and the exit code stays 0: numbers are still
    read, just maybe not the way the report means, unknown signs are not said at all,
    polyphones may need an ear (add a lexicon entry to fix one).
    """
    import json

    from .speech import load_lexicon
    from .speech.proofread import proof
    from .voices import load_voice

    paths = [p for p in [load_voice(voice).lexicon] if p is not None] + list(lexicon or [])
    lex = load_lexicon(*paths) if paths else None
    if _names_a_file(source):
        from .segment import load_book

        book = load_book(source, words=False)
        chapters = [c for c in book.chapters if chapter is None or c.number == chapter]
        if not chapters:
            numbers = ", ".join(str(c.number) for c in book.chapters)
            raise InputError(f"{source}: no chapter {chapter} (chapters: {numbers})")
        items = [(s.id, s.text) for c in chapters for s in c.sentences()]
    elif chapter is not None:
        raise InputError(f"{source}: --chapter needs a report file, and there is no such file")
    else:
        from .segment import split_sentences

        items = [(str(i + 1), text) for i, text in enumerate(split_sentences(source))]
    proofs = [proof(ident, text, lex) for ident, text in items]
    if warn:
        unknown = [w for p in proofs for w in p.unknown_warnings()]
        polyphones = [w for p in proofs for w in p.polyphone_warnings()]
        for w in unknown + polyphones:
            log.warning(w)
        log.info("%d sentence(s) read, %d expression(s) no rule knew, %d polyphone(s) read by default",
                 len(proofs), len(unknown), len(polyphones))
    elif as_json:
        for p in proofs:
            print(json.dumps(p.as_json(), ensure_ascii=False))
    else:
        for p in proofs:
            out.print(p.render())


@app.command()
def synth(
    file: Annotated[Path, typer.Argument(help="The report: text (UTF-8, UTF-16, GB18030/GBK), PDF, Word .docx, web page or EPUB.")],
    chapter: Annotated[
        Optional[list[int]], typer.Option("--chapter", "-c", help="Only this chapter number (0 = front matter); repeatable.")
    ] = None,
    voice: Annotated[str, typer.Option("--voice", help="Voice profile name (built in, or a file in ./voices/) or a .toml file.")] = "baker",
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder; WAVs go to <out>/<book>/wav/.")] = Path("output"),
    cache: Annotated[Optional[Path], typer.Option("--cache", help="Clip cache folder (default: $ACCESSIBLE_CACHE_DIR or ~/.cache/accessible/clips).")] = None,
    quiet_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    fallback: Annotated[
        Optional[str], typer.Option("--fallback", help="A voice that speaks the sentences --voice cannot (e.g. baker when the online voice is unreachable).")
    ] = None,
) -> None:
    """Synthesize FILE sentence by sentence (only what is not cached), a WAV per chapter.

    Each WAV is the chapter as the audiobook assembles it (lead-in and pauses included,
    before loudness normalization); beside it goes its timings JSON (sentence and word times).
    """
    from .audio.assemble import write_chapters
    from .layout import Layout
    from .lock import build_lock
    from .readmemo import read_once
    from .synth import synthesize_book
    from .voices import load_voice

    profile = load_voice(voice)
    backup = load_voice(fallback) if fallback else None
    book, _ = read_once(file, None, [profile.lexicon] if profile.lexicon else [], out_dir)
    result = synthesize_book(book, profile, cache, chapter or None, progress=not quiet_progress, fallback=backup)
    # Under the book folder's lock, like a build: a build starting meanwhile would take our
    # unfinished WAVs for an interrupted writer's leftovers and delete them.
    with build_lock(Layout.for_book(book, out_dir).root):
        written = write_chapters(book, result.clips, profile, out_dir, chapter or None)
    out.print(f"voice {profile.name}: {result.synthesized} clip(s) synthesized, {result.reused} sentence(s) from the cache", markup=False)
    if result.fallback:
        out.print(f"fallback voice {fallback}: spoke {result.fallback} sentence(s); run again to replace them", markup=False)
    for files in written:
        minutes, seconds = divmod(round(files.duration), 60)
        out.print(f"{files.wav}  ({minutes} min {seconds:02d} s)  {files.timings.name}", markup=False)


_NO_WAIT = typer.Option("--no-wait", help="If another build is writing the same book folder, fail at once instead of waiting for it.")


def _run_build(file: Path, **options: Any) -> None:
    from .pipeline import build as run_build

    summary = run_build(file, **options)
    for line in summary.lines():
        out.print(line, markup=False)


@app.command()
def audio(
    file: Annotated[Path, typer.Argument(help="The report: text (UTF-8, UTF-16, GB18030/GBK), PDF, Word .docx, web page or EPUB.")],
    chapter: Annotated[
        Optional[list[int]], typer.Option("--chapter", help="Only this chapter number (0 = front matter); repeatable.")
    ] = None,
    voice: Annotated[str, typer.Option("--voice", help="Voice profile name or a .toml file.")] = "baker",
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("output"),
    title: Annotated[Optional[str], typer.Option("--title", help="Book title (default: inferred from the text).")] = None,
    cache: Annotated[Optional[Path], typer.Option("--cache", help="Clip cache folder.")] = None,
    no_wait: Annotated[bool, _NO_WAIT] = False,
) -> None:
    """Make only the audiobook of FILE: chapter MP3s, captions, playlist and (full builds) the M4B."""
    _run_build(
        file, voice=voice, out_dir=out_dir, title=title, formats=["audio", "m4b"], chapters=chapter or None, cache_dir=cache,
        wait=not no_wait,
    )


@app.command()
def build(
    file: Annotated[Path, typer.Argument(help="The report: text (UTF-8, UTF-16, GB18030/GBK), PDF, Word .docx, web page or EPUB.")],
    voice: VoiceOption = "baker",
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder; the book gets a folder named after its title.")] = Path("output"),
    title: Annotated[Optional[str], typer.Option("--title", help="Book title (default: inferred from the text).")] = None,
    ruby: RubyOption = False,
    sync: SyncOption = "sentence",
    formats: FormatsOption = DEFAULT_FORMATS,
    cache: Annotated[Optional[Path], typer.Option("--cache", help="Clip cache folder (default: the voice stage's).")] = None,
    lexicon: LexiconOption = None,
    fallback: FallbackOption = None,
    braille: BrailleOption = "common",
    cells: CellsOption = 40,
    lines: LinesOption = 25,
    no_wait: Annotated[bool, _NO_WAIT] = False,
) -> None:
    """Make the audiobook, the accessible EPUB 3, the web page and the braille edition of FILE, redoing only what changed.

    A second run with nothing changed synthesizes and encodes nothing; after an edit only
    the edited sentences are synthesized and only their chapters encoded again.
    """
    _run_build(
        file,
        voice=voice,
        out_dir=out_dir,
        title=title,
        sync=sync,
        ruby=ruby,
        formats=_format_list(formats),
        cache_dir=cache,
        lexicon=lexicon,
        fallback=fallback,
        braille=_braille_options(braille, cells, lines),
        wait=not no_wait,
    )


def _braille_options(system: str, cells: int, lines: int) -> BrailleOptions:
    from .outputs.braille import BrailleOptions

    return BrailleOptions(system, cells, lines)  # type: ignore[arg-type]  # checked in __post_init__


@app.command("braille")
def braille_command(
    file: Annotated[Path, typer.Argument(help="The report: a text file in UTF-8, UTF-16 or GB18030/GBK.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder; files go to <out>/<book>/braille/.")] = Path("output"),
    title: Annotated[Optional[str], typer.Option("--title", help="Book title (default: inferred from the text).")] = None,
    braille: BrailleOption = "common",
    cells: CellsOption = 40,
    lines: LinesOption = 25,
    voice: Annotated[str, typer.Option("--voice", help="Use this voice profile's lexicon for the readings.")] = "baker",
    lexicon: Annotated[Optional[Path], typer.Option("--lexicon", help="A pronunciation lexicon (TOML) over the voice's own.")] = None,
) -> None:
    """Make only the braille edition of FILE: <book>.brf (embossers), .pef (PEF 1.0), .txt (Unicode braille).

    Syllables come from the speech layer's reading (the polyphone decisions the voice
    uses), numbers, letters and punctuation from the text; no audio is made.
    """
    _run_build(
        file,
        voice=voice,
        out_dir=out_dir,
        title=title,
        formats=["braille"],
        lexicon=lexicon,
        braille=_braille_options(braille, cells, lines),
    )


@app.command()
def batch(
    inputs: Annotated[list[str], typer.Argument(help="Reports: files, folders (searched for documents) or quoted glob patterns.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder; each input's book goes to <out>/<input name>/.")] = Path("output"),
    voice: VoiceOption = "baker",
    sync: SyncOption = "sentence",
    ruby: RubyOption = False,
    formats: FormatsOption = DEFAULT_FORMATS,
    cache: Annotated[Optional[Path], typer.Option("--cache", help="Clip cache folder; with --ray, the workers' too (shared: clips reused across machines).")] = None,
    lexicon: LexiconOption = None,
    fallback: FallbackOption = None,
    braille: BrailleOption = "common",
    cells: CellsOption = 40,
    lines: LinesOption = 25,
    workers: Annotated[
        Optional[int], typer.Option("--workers", min=1, help="Worker processes on this machine (default: one per core for the offline voice).")
    ] = None,
    ray: Annotated[
        Optional[str], typer.Option("--ray", metavar="ADDRESS", help="Synthesize on a Ray cluster: auto, host:port or ray://host:port (needs pip install 'accessible\\[ray]').")
    ] = None,
    quiet_progress: Annotated[bool, typer.Option("--no-progress", help="No progress display.")] = False,
) -> None:
    """Build every report of INPUTS, each as `accessible build` would, in parallel.

    Books that are up to date are skipped; a bad input is reported and the others are
    built. At the end a summary, and <out>/batch-report.json with each book's status,
    time, audio length and error. Exit code 0 when every book is built or up to date,
    1 when some failed.
    """
    from .batch import run_batch
    from .batch.progress import Display

    report = run_batch(
        inputs,
        out_dir,
        voice=voice,
        sync=sync,
        ruby=ruby,
        formats=_format_list(formats),
        lexicon=lexicon,
        fallback=fallback,
        braille=_braille_options(braille, cells, lines),
        cache=cache,
        workers=workers,
        ray=ray,
        display=None if quiet_progress else Display(err),
    )
    for line in report.lines():
        out.print(line, markup=False)
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def check(
    target: Annotated[Path, typer.Argument(help="A book's output folder, the output folder of one book, or an .epub.")],
) -> None:
    """Validate an EPUB: EPUBCheck, and its media overlays against its text and audio.

    Exit code 0 when EPUBCheck reports nothing and every overlay check passes, 1 otherwise.
    """
    from .outputs.check import check as run_check
    from .outputs.check import format_report

    report = run_check(target)
    for line in format_report(report):
        out.print(line, markup=False)
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def serve(
    folder: Annotated[Path, typer.Argument(help="The output folder, a book's folder, or its web/ folder.")] = Path("output"),
    port: Annotated[int, typer.Option("--port", "-p", help="Port on 127.0.0.1 (0 picks a free one).")] = 8000,
) -> None:
    """Serve FOLDER on 127.0.0.1 so the listen-along pages can be opened in a browser.

    Answers HTTP range requests, which browsers need to seek in the audio. Ctrl+C stops it.
    """
    from urllib.parse import quote

    from .outputs.webserve import make_server, pages_under

    server = make_server(folder, port)
    base = f"http://127.0.0.1:{server.server_port}/"
    pages = pages_under(folder)
    for page in pages:
        out.print(base + quote(page.relative_to(folder).as_posix()))
    if not pages:
        out.print(f"{base}  (no listen-along page here yet: run `accessible build` first)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl+C is how a server is stopped, not an interruption
        pass
    finally:
        server.server_close()


@app.command()
def voices(
    online: Annotated[bool, typer.Option("--online", help="List the online service's Chinese voices instead (needs the network).")] = False,
) -> None:
    """List the voice profiles, their engine and voice, and whether each can speak here."""
    from .engines import get_engine
    from .errors import VoiceError
    from .voices import DEFAULT_VOICE, list_voices

    if online:
        _print_online_voices(list_voices())
        return
    for name, profile in list_voices().items():
        try:
            reason = get_engine(profile.engine).available()
        except VoiceError as e:
            reason = str(e)
        state = "usable" if reason is None else f"not usable: {reason}"
        default = " (default)" if name == DEFAULT_VOICE else ""
        engine_voice = f"{profile.engine}/{profile.voice}" if profile.voice else profile.engine
        out.print(f"{name}{default}  {engine_voice}  rate {profile.rate:g}  {profile.description}  [{state}]", markup=False)


def _print_online_voices(profiles: dict[str, Voice]) -> None:
    from .engines.edge import list_online_voices

    found = list_online_voices()  # a one-line VoiceError within seconds when offline
    by_voice = {p.voice: name for name, p in profiles.items() if p.engine == "edge"}
    for v in found:
        profile = f"profile: {by_voice[v.short_name]}" if v.short_name in by_voice else ""
        out.print("  ".join(part for part in (v.short_name, v.gender, ", ".join(v.personalities), profile) if part), markup=False)
    out.print(f"{len(found)} Chinese voice(s); use one in a profile as: engine = \"edge\", voice = \"<name>\"", markup=False)


@app.command("cache")
def cache_command(
    action: Annotated[str, typer.Argument(help="stats or clear")],
    cache: Annotated[Optional[Path], typer.Option("--cache", help="Clip cache folder (default: $ACCESSIBLE_CACHE_DIR or ~/.cache/accessible/clips).")] = None,
) -> None:
    """Show the clip cache's size (stats) or empty it (clear)."""
    from .cache import ClipCache

    store = ClipCache(cache)
    if action == "stats":
        stats = store.stats()
        out.print(f"{stats.folder}: {stats.clips} clip(s), {stats.bytes / 1e6:.1f} MB", markup=False)
    elif action == "clear":
        out.print(f"{store.root}: removed {store.clear()} clip(s)", markup=False)
    else:
        raise InputError(f"unknown cache action {action!r}; use stats or clear")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
