"""The listen-along page in a real headless Chromium (Debian's, driven by Playwright).

Served from 127.0.0.1 by `accessible serve`'s server, the page really plays and seeks the
chapter MP3s. One browser for the module; each test gets a fresh context (empty storage).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from urllib.parse import unquote

import pytest

from accessible.outputs.webserve import make_server

from npm_tools import npm_file
from web_book import BuiltWeb, build_web, small_book

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SAMPLE = Path(__file__).resolve().parent.parent / "accessible" / "samples" / "hengshui-2017.txt"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SEEK_TOLERANCE = 0.05


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make browser` installs Debian's (apt-get, as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is missing: pip install -e '.[test]'")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _serve(root: Path):
    server = make_server(root)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Site:
    """A built page, served; `times` holds each chapter's sentences as the tracks say."""

    def __init__(self, built: BuiltWeb):
        self.book, self.tracks, self.index = built.book, built.tracks, built.index
        tracks = built.tracks
        self.server = _serve(built.layout.web_dir)
        self.url = f"http://127.0.0.1:{self.server.server_port}/index.html"
        self.sentences = {p.sentence_id: p for t in tracks for p in t.sentences}
        self.chapter_of = {p.sentence_id: t.chapter_id for t in tracks for p in t.sentences}
        self.audio_name = {t.chapter_id: Path(t.path).name for t in tracks}

    def expected(self, chapter_id: str, t: float):
        """The sentence (and word index) that must be highlighted at time t of a chapter:
        the last one started, so a pause between sentences keeps the one just read."""
        (track,) = [x for x in self.tracks if x.chapter_id == chapter_id]
        started = [p for p in track.sentences if p.start <= t + 0.001] or [track.sentences[0]]
        p = started[-1]
        words = [i for i, w in enumerate(p.timings) if w.start <= t + 0.001]
        return p, (words[-1] if words else -1)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = Site(build_web(small_book(), tmp_path_factory.mktemp("out")))
    yield s
    s.server.shutdown()
    s.server.server_close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 800}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()


def open_page(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-player=ready]", state="attached", timeout=5000)


STATE = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
  const a = document.getElementById('audio');
  const s = document.querySelector('.s.current');
  const w = s && s.querySelector('.w.current');
  done({t: a.currentTime, paused: a.paused, src: decodeURIComponent(a.currentSrc), id: s && s.id,
        word: w ? [...s.querySelectorAll('.w')].indexOf(w) : -1, rate: a.playbackRate, pitch: a.preservesPitch,
        marked: [...document.querySelectorAll('[aria-current]')].map(e => e.id),
        focus: document.activeElement.id || document.activeElement.textContent.trim().slice(0, 20)});
})))"""

WATCH_SEEKS = "() => { window.seekedAt = []; audio.addEventListener('seeked', () => seekedAt.push(audio.currentTime)); }"


def state(page) -> dict:
    return page.evaluate(STATE)


def chapter_playing(site: Site, st: dict) -> str:
    (chapter,) = [c for c, name in site.audio_name.items() if st["src"].endswith("/" + name)]
    return chapter


def wait_seeked(page, count: int = 1) -> float:
    page.wait_for_function(f"window.seekedAt.length >= {count}", timeout=5000)
    return page.evaluate("seekedAt[seekedAt.length - 1]")


def test_highlight_follows_playback_across_chapters(page, site):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    open_page(page, site.url)
    assert not [u for u in requests if u.endswith(".mp3")]  # audio only when it is to be heard
    page.click("#play")
    seen, chapters = [], set()
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and len(chapters) < 2:
        time.sleep(0.35)
        st = state(page)
        if st["paused"] or st["t"] == 0:
            continue
        chapter = chapter_playing(site, st)
        sentence, word = site.expected(chapter, st["t"])
        assert st["id"] == sentence.sentence_id, st
        assert st["word"] == word, st
        assert st["marked"] == []  # the moving highlight never sets aria-current
        seen.append(st["id"])
        chapters.add(chapter)
    assert chapters == {"c00", "c01"}  # the end of a chapter goes on with the next
    assert len(set(seen)) >= 3, seen
    fetched = [unquote(u.rsplit("/", 1)[1]) for u in requests if u.endswith(".mp3")]
    assert fetched[0] == site.audio_name["c00"] and set(fetched) == {site.audio_name["c00"], site.audio_name["c01"]}
    assert page.text_content("#play") == "暂停"


def test_click_on_a_sentence_plays_from_its_start(page, site):
    open_page(page, site.url)
    page.evaluate(WATCH_SEEKS)
    for n, sid in enumerate(["c02-s01-p001-t002", "c02-s01-h"], 1):  # another chapter, then the same one
        page.click(f"#{sid}")
        assert abs(wait_seeked(page, n) - site.sentences[sid].start) <= SEEK_TOLERANCE
        page.wait_for_function(f"!audio.paused && audio.currentTime > {site.sentences[sid].start}")
        st = state(page)
        assert st["id"] == sid and st["marked"] == [sid]
        assert chapter_playing(site, st) == "c02"
    # seeking needs byte ranges from the server: the whole chapter is seekable
    assert page.evaluate("audio.seekable.length && audio.seekable.end(0)") >= site.tracks[2].duration - 0.1


def test_keyboard_reaches_every_control(page, site):
    open_page(page, site.url)
    order = []
    for _ in range(25):
        page.keyboard.press("Tab")
        order.append(state(page)["focus"])
    assert order[0] == "跳到正文"
    for control in ("prev-chapter", "prev", "play", "next", "next-chapter", "rate", "theme", "pinyin", "开篇", "二、今后的工作"):
        assert control in order, (control, order)
    assert order.index("play") < order.index("开篇") < order.index("c00-s00-p001-t001")  # player, TOC, then the text

    def tab_to(target: str, key: str = "Tab") -> None:
        for _ in range(30):
            if state(page)["focus"] == target:
                return
            page.keyboard.press(key)
        raise AssertionError(f"{target} not reached with {key}")

    for target in ("c00-s00-p001-t001", "play"):  # focus is visible on a sentence and on a button
        tab_to(target, "Shift+Tab")
        style = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()")
        assert style[0] != "none" and style[1] >= 2, (target, style)

    page.evaluate(WATCH_SEEKS)
    tab_to("next")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert state(page)["marked"] == ["c01-h"]
    tab_to("prev", "Shift+Tab")
    page.keyboard.press("Enter")
    assert state(page)["marked"] == ["c00-s00-p002-t001"]
    tab_to("play")
    page.keyboard.press("Enter")
    assert abs(wait_seeked(page) - site.sentences["c00-s00-p002-t001"].start) <= SEEK_TOLERANCE
    page.keyboard.press(" ")  # Space on the focused play button pauses
    page.wait_for_function("audio.paused")
    tab_to("二、今后的工作")
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'c02-h'")
    assert page.evaluate("location.hash") == "#c02"
    # the heading jumped to is not hidden under the sticky controls
    assert page.evaluate("document.getElementById('c02-h').getBoundingClientRect().top >= player.getBoundingClientRect().bottom")
    assert state(page)["marked"] == ["c02-h"]
    page.keyboard.press("ArrowDown")
    assert state(page)["focus"] == "c02-s01-h"
    page.keyboard.press("Enter")
    assert abs(wait_seeked(page, 2) - site.sentences["c02-s01-h"].start) <= SEEK_TOLERANCE
    page.wait_for_function("!audio.paused")
    assert chapter_playing(site, state(page)) == "c02"


def test_chapter_buttons_while_playing(page, site):
    open_page(page, site.url)
    page.evaluate(WATCH_SEEKS)
    page.click("#next-chapter")
    assert state(page)["marked"] == ["c01-h"]
    page.click("#play")  # plays from the chapter chosen while paused
    assert abs(wait_seeked(page) - site.sentences["c01-h"].start) <= SEEK_TOLERANCE
    page.click("#next-chapter")  # while playing: goes on playing there
    page.wait_for_function("!audio.paused && audio.currentSrc.includes('02-')")
    assert state(page)["id"] == "c02-h"
    page.click("#prev-chapter")
    page.wait_for_function("!audio.paused && audio.currentSrc.includes('01-')")
    st = state(page)
    assert st["id"] == "c01-h" and st["marked"] == ["c01-h"]


def test_place_and_settings_survive_a_reload(page, site):
    open_page(page, site.url)
    page.select_option("#rate", "1.5")
    page.click("#c02-s01-p001-t001")
    page.wait_for_function(f"!audio.paused && audio.currentTime > {site.sentences['c02-s01-p001-t001'].start + 0.3}")
    page.click("#play")
    page.wait_for_function("audio.paused")
    left_at = state(page)["t"]
    page.reload()
    page.wait_for_selector("html[data-player=ready]", state="attached")
    st = state(page)
    assert st["id"] == "c02-s01-p001-t001" and st["marked"] == ["c02-s01-p001-t001"]
    assert page.input_value("#rate") == "1.5"
    assert page.text_content("#where").startswith("二、今后的工作")
    page.evaluate(WATCH_SEEKS)
    page.click("#play")
    assert abs(wait_seeked(page) - left_at) <= SEEK_TOLERANCE
    st = state(page)
    assert chapter_playing(site, st) == "c02" and st["rate"] == 1.5 and st["pitch"] is True


def test_speed_keeps_pitch_and_plays_faster(page, site):
    open_page(page, site.url)
    page.select_option("#rate", "2")
    page.click("#c02-h")
    page.wait_for_function("!audio.paused && audio.currentTime > 0.1")
    t0, w0 = page.evaluate("audio.currentTime"), time.monotonic()
    time.sleep(1.0)
    t1, w1 = page.evaluate("audio.currentTime"), time.monotonic()
    assert 1.6 <= (t1 - t0) / (w1 - w0) <= 2.4
    st = state(page)
    assert st["rate"] == 2 and st["pitch"] is True


def test_opens_from_file_url(page, site):
    open_page(page, site.index.as_uri())
    page.evaluate(WATCH_SEEKS)
    page.click("#c01-s00-p001-t002")
    assert abs(wait_seeked(page) - site.sentences["c01-s00-p001-t002"].start) <= SEEK_TOLERANCE
    page.wait_for_function("!audio.paused && audio.currentTime > 0")


def test_reduced_motion_scrolls_at_once(browser, site):
    moves = {}
    for motion in ("reduce", "no-preference"):
        context = browser.new_context(viewport={"width": 800, "height": 360}, reduced_motion=motion)
        pg = context.new_page()
        open_page(pg, site.url)
        moves[motion] = pg.evaluate("(() => { const y = scrollY; document.getElementById('next-chapter').click(); document.getElementById('next-chapter').click(); return [y, scrollY]; })()")
        if motion == "no-preference":  # a smooth scroll gets there too, a moment later
            pg.wait_for_function(f"scrollY > {moves[motion][0] + 50}", timeout=3000)
        context.close()
    assert moves["reduce"][1] > moves["reduce"][0] + 50
    assert moves["no-preference"][1] == moves["no-preference"][0]


def test_no_live_regions_and_toggles(page, site):
    open_page(page, site.url)
    assert page.evaluate("document.querySelectorAll('[aria-live],[role=status],[role=alert],[role=log],[role=timer],[role=marquee]').length") == 0
    assert page.evaluate("getComputedStyle(document.querySelector('rt')).display") == "none"
    page.click("#pinyin")
    page.click("#theme")
    assert page.get_attribute("#pinyin", "aria-pressed") == "true" and page.get_attribute("#theme", "aria-pressed") == "true"
    page.reload()
    page.wait_for_selector("html[data-player=ready]", state="attached")
    assert page.evaluate("getComputedStyle(document.querySelector('rt')).display") != "none"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"


def test_high_contrast_follows_the_system_until_chosen(browser, site):
    context = browser.new_context(contrast="more")
    pg = context.new_page()
    open_page(pg, site.url)
    assert pg.get_attribute("#theme", "aria-pressed") == "true"
    pg.click("#theme")
    pg.reload()
    pg.wait_for_selector("html[data-player=ready]", state="attached")
    assert pg.get_attribute("#theme", "aria-pressed") == "false"
    assert pg.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    context.close()


def test_missing_chapter_audio_is_said_not_hidden(page, tmp_path):
    built = build_web(small_book(), tmp_path)
    (built.layout.web_dir / "audio" / Path(built.tracks[1].path).name).unlink()
    open_page(page, built.index.as_uri())
    page.click("#c01-s00-p001-t002")
    page.wait_for_function("document.getElementById('where').textContent.includes('无法播放本章音频')")
    assert page.text_content("#play") == "播放"


@pytest.mark.parametrize(("width", "font_size"), [(1280, "200%"), (320, "100%")])
def test_text_resizes_and_reflows_without_loss(browser, site, width, font_size):
    context = browser.new_context(viewport={"width": width, "height": 720})
    pg = context.new_page()
    open_page(pg, site.url)
    pg.evaluate(f"document.documentElement.style.fontSize = '{font_size}'")
    pg.click("#pinyin")
    assert pg.evaluate("document.documentElement.scrollWidth <= innerWidth")  # no sideways scrolling
    clipped = pg.evaluate(
        """[...document.querySelectorAll('button, select, h1, h2, h3, p, a')].filter(e => !e.matches('.sr-only')).filter(e => {
             const r = e.getBoundingClientRect();
             return e.scrollWidth > e.clientWidth + 1 || r.left < 0 || r.right > innerWidth + 1; }).map(e => e.id || e.textContent.slice(0, 12))"""
    )
    assert clipped == []
    # the sticky controls never take more than a third of the view: beyond that they scroll away
    assert pg.evaluate("player.offsetHeight <= innerHeight / 3 || getComputedStyle(player).position === 'static'")
    context.close()


# --- accessibility scan -------------------------------------------------------------------


@pytest.fixture(scope="module")
def axe_script() -> Path:
    """axe-core from the npm registry, cached outside the repository."""
    return npm_file("axe-core@4", "axe-core/axe.min.js")


def axe_violations(page, axe_script: Path) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:5]} {v['nodes'][0]['failureSummary']}" for v in result["violations"]]


def pause_inside(page, site: Site, sentence_id: str) -> None:
    """Play a sentence, pause in its second half: sentence and word highlighted."""
    p = site.sentences[sentence_id]
    page.click(f"#{sentence_id}")
    page.wait_for_function(f"!audio.paused && audio.currentTime > {(p.start + p.end) / 2}")
    page.click("#play")
    page.wait_for_function("audio.paused")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_violations(browser, site, axe_script, scheme):
    context = browser.new_context(viewport={"width": 1000, "height": 800}, color_scheme=scheme)
    pg = context.new_page()
    open_page(pg, site.url)
    assert axe_violations(pg, axe_script) == []
    pause_inside(pg, site, "c01-s00-p001-t001")
    assert pg.locator(".s.current .w.current").count() == 1
    assert axe_violations(pg, axe_script) == []  # highlighted sentence and word keep their contrast
    pg.click("#pinyin")
    pg.click("#theme")
    assert axe_violations(pg, axe_script) == []
    pg.keyboard.press("Tab")  # the skip link, shown when focused
    assert axe_violations(pg, axe_script) == []
    context.close()


def test_screenshot_shows_the_highlight(page, site, tmp_path):
    from PIL import Image

    open_page(page, site.url)
    page.click("#pinyin")
    pause_inside(page, site, "c01-s00-p001-t001")
    shot = tmp_path / "highlight.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot: {shot}")
    colours = {colour: n for n, colour in Image.open(shot).convert("RGB").getcolors(1 << 24)}
    sentence_bg, word_bg = colours.get((0xFF, 0xF0, 0xA3), 0), colours.get((0x0B, 0x4F, 0xB3), 0)
    assert sentence_bg > 1000 and word_bg > 300, (sentence_bg, word_bg)


# --- the whole sample -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory):
    from accessible.segment import load_book
    from accessible.speech import read_book

    s = Site(build_web(read_book(load_book(SAMPLE)), tmp_path_factory.mktemp("sample"), audio_seconds=0.5))
    yield s
    s.server.shutdown()
    s.server.server_close()


def test_whole_sample_is_interactive_within_a_second(page, sample_site):
    open_page(page, sample_site.url)
    timing = page.evaluate(
        """(() => { const n = performance.getEntriesByType('navigation')[0];
             return {interactive: n.domInteractive, loaded: n.domContentLoadedEventEnd,
                     ready: performance.getEntriesByName('player-ready')[0].startTime,
                     sentences: document.querySelectorAll('.s').length, bytes: n.transferSize}; })()"""
    )
    print(f"\nwhole sample: {timing}")
    assert timing["sentences"] == len(list(sample_site.book.sentences()))
    assert timing["ready"] < 1000, timing
    page.click(f"#{sample_site.tracks[3].sentences[5].sentence_id}")  # and it plays from deep inside
    page.wait_for_function("!audio.paused")


# --- a real build ---------------------------------------------------------------------------

REPORT = """示例市2017年政府工作报告
各位代表：
一、过去一年的工作
全市经济稳步增长，地区生产总值增长8.2%。我们去银行办理业务。
二、今后的工作
着力改善民生，重新调整产业结构。
"""


@pytest.mark.slow
def test_built_book_plays_in_sync(page, tmp_path):
    """`accessible build` with the offline voice: real speech, real MP3s, real timings."""
    from accessible.pipeline import build

    source = tmp_path / "report.txt"
    source.write_text(REPORT, encoding="utf-8")
    summary = build(source, out_dir=tmp_path / "out", sync="word", formats=("web",), cache_dir=tmp_path / "cache")
    server = _serve(summary.folder / "web")
    try:
        open_page(page, f"http://127.0.0.1:{server.server_port}/index.html")
        data = page.evaluate("JSON.parse(document.getElementById('book-data').textContent)")
        rows = {c["id"]: c["s"] for c in data["chapters"]}
        page.click("#c01-h")
        checked = 0
        for _ in range(12):
            time.sleep(0.4)
            st = state(page)
            chapter = next(c["id"] for c in data["chapters"] if c["audio"] and st["src"].endswith(unquote(c["audio"])))
            started = [r for r in rows[chapter] if r[1] <= st["t"] + 0.001]
            assert st["id"] == started[-1][0], st
            words = [i for i, w in enumerate(started[-1][3]) if w[0] <= st["t"] + 0.001]
            assert st["word"] == (words[-1] if words else -1), st
            checked += 1
        assert checked == 12
        assert page.locator("ruby").count() > 0  # 银行, 着力, 调整 … carry pinyin
    finally:
        server.shutdown()
        server.server_close()
