"""The edge-tts engine against a local protocol peer (tests/edge_server.py): never the real service."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from accessible.engines.edge import (
    Boundary,
    EdgeEngine,
    RetryPolicy,
    SAMPLE_RATE,
    list_online_voices,
    prosody,
    said_words,
)
from accessible.engines.timing import Said, original_timings
from accessible.errors import SynthesisError, VoiceError
from accessible.model import Reading, Sentence, Timing
from accessible.voices import Voice, load_voice

from edge_server import LEAD_SECONDS, WORD_SECONDS, EdgeServer, closed_port

SAMPLE = Path(__file__).resolve().parent.parent / "accessible" / "samples" / "hengshui-2017.txt"
FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, connect_timeout=2, message_timeout=1.0)
YUNYANG = Voice("yunyang", "edge", "zh-CN-YunyangNeural")


def reading(*pieces: tuple[str, str]) -> tuple[str, Reading]:
    """The text and a hand-built Reading from (written, spoken) pieces: equal pieces map
    character by character, others map every spoken character to the whole written piece."""
    text, spoken, origin = "", "", []
    for written, said in pieces:
        if written == said:
            origin += [(len(text) + i, len(text) + i + 1) for i in range(len(said))]
        else:
            origin += [(len(text), len(text) + len(written))] * len(said)
        text, spoken = text + written, spoken + said
    return text, Reading(spoken, tuple(origin), (), ())


GROWTH_TEXT, GROWTH = reading(("年均增长", "年均增长"), ("8.2%", "百分之八点二"), ("；", "；"))


def sentence(text: str = GROWTH_TEXT, r: Reading = GROWTH, sid: str = "c03-s02-p004-t007") -> Sentence:
    return Sentence(sid, text, reading=r)


def covers(timings: tuple[Timing, ...], length: int, duration: float) -> bool:
    spans_ok = timings[0].text_start == 0 and timings[-1].text_end == length
    spans_ok &= all(a.text_end == b.text_start for a, b in zip(timings, timings[1:]))
    times_ok = all(0 <= t.start <= t.end <= duration + 1e-9 for t in timings)
    times_ok &= all(a.end <= b.start + 1e-9 for a, b in zip(timings, timings[1:]))
    return spans_ok and times_ok


@pytest.fixture
def server(monkeypatch):
    with EdgeServer() as srv:
        yield srv.patch(monkeypatch)


# -- pure parts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rate, volume, pitch, expected",
    [
        (1.0, 1.0, 1.0, {"rate": "+0%", "volume": "+0%", "pitch": "+0Hz"}),
        (1.1, 0.8, 1.1, {"rate": "+10%", "volume": "-20%", "pitch": "+17Hz"}),
        (0.5, 2.0, 0.9, {"rate": "-50%", "volume": "+100%", "pitch": "-17Hz"}),
    ],
)
def test_prosody_strings(rate, volume, pitch, expected):
    assert prosody(Voice("v", "edge", "zh-CN-YunyangNeural", rate=rate, volume=volume, pitch=pitch)) == expected


def test_boundary_words_are_found_forward_in_the_spoken_form():
    marks = [Boundary(0.1, 0.3, "年均"), Boundary(0.3, 0.5, "增长"), Boundary(0.5, 0.7, "百分之"), Boundary(0.7, 0.9, "八点二")]
    assert said_words(GROWTH.spoken, marks, 1.2) == [
        Said(0, 2, 0.1, 0.3),
        Said(2, 4, 0.3, 0.5),
        Said(4, 7, 0.5, 0.7),
        Said(7, 10, 0.7, 0.9),
    ]
    # Through the shared mapping, both words that read "8.2%" become one timing.
    timings = original_timings(GROWTH_TEXT, GROWTH, said_words(GROWTH.spoken, marks, 1.2), 1.2)
    assert Timing(0.5, 0.9, 4, 8) in timings and covers(timings, len(GROWTH_TEXT), 1.2)


def test_a_repeated_word_is_found_after_the_previous_one():
    text, r = reading(("发展发展", "发展发展"))
    marks = [Boundary(0.0, 0.2, "发展"), Boundary(0.2, 0.4, "发展")]
    assert said_words(r.spoken, marks, 0.5) == [Said(0, 2, 0.0, 0.2), Said(2, 4, 0.2, 0.4)]


def test_words_the_spoken_form_lacks_are_skipped():
    text, r = reading(("“", "“"), ("5·18", "五一八"), ("”活动", "”活动"))
    marks = [Boundary(0.2, 0.5, "五一八"), Boundary(0.5, 0.6, "zzz"), Boundary(0.6, 0.8, "活动")]
    assert said_words(r.spoken, marks, 0.8) == [Said(1, 4, 0.2, 0.5), Said(5, 7, 0.6, 0.8)]


def test_without_usable_boundaries_the_whole_sentence_spans_the_clip():
    assert said_words(GROWTH.spoken, [Boundary(0.1, 0.2, "zzz")], 1.0) == [Said(0, len(GROWTH.spoken), 0.0, 1.0)]


# -- against the local service -----------------------------------------------------------


def test_synthesize_decodes_audio_and_times_the_original_characters(server):
    server.words = lambda text: ["年均", "增长", "百分之", "八点二"]
    clip = EdgeEngine(policy=FAST).synthesize(sentence(), Voice("yunyang", "edge", "zh-CN-YunyangNeural", rate=1.1, pitch=0.9))

    [request] = server.requests
    assert request.text == "年均增长百分之八点二；"  # the spoken form went out
    assert (request.rate, request.pitch, request.volume) == ("+10%", "-17Hz", "+0%")
    assert "YunyangNeural" in request.voice
    assert clip.sample_rate == SAMPLE_RATE
    assert clip.duration == pytest.approx(LEAD_SECONDS + 4 * WORD_SECONDS + 0.1, abs=0.03)
    assert covers(clip.timings, len(GROWTH_TEXT), clip.duration)
    [percent] = [t for t in clip.timings if GROWTH_TEXT[t.text_start : t.text_end] == "8.2%"]
    assert percent.start == pytest.approx(LEAD_SECONDS + 2 * WORD_SECONDS)
    assert percent.end == pytest.approx(LEAD_SECONDS + 3 * WORD_SECONDS + 0.9 * WORD_SECONDS)
    # The timings line up with the sound: tone inside each word, silence before the first.
    pcm = np.frombuffer(clip.pcm, np.int16).astype(float)

    def rms(a: float, b: float) -> float:
        return float(np.sqrt(np.mean(pcm[int(a * SAMPLE_RATE) : int(b * SAMPLE_RATE)] ** 2)))

    assert rms(0.0, LEAD_SECONDS - 0.01) < 50
    for t in clip.timings[:3]:
        assert rms(t.start + 0.02, t.start + 0.2) > 3000, t


def test_words_split_inside_an_expression_still_map_to_it(server):
    # The default splitter cuts two characters at a time: 百分 / 之八 / 点二.
    clip = EdgeEngine(policy=FAST).synthesize(sentence(), YUNYANG)
    spans = [GROWTH_TEXT[t.text_start : t.text_end] for t in clip.timings]
    assert spans == ["年均", "增长", "8.2%", "；"]


def test_a_sample_sentence_read_by_the_speech_stage(server):
    from accessible.speech import read_sentence

    text = "四年来，地区生产总值由1011亿元增长到1413.4亿元，年均增长8.2%；全部财政收入由100.8亿元增长到173.2亿元，年均增长14.5%；"
    assert text in SAMPLE.read_text(encoding="utf-8")
    r = read_sentence(text)
    clip = EdgeEngine(policy=FAST).synthesize(sentence(text, r), YUNYANG)
    assert covers(clip.timings, len(text), clip.duration)
    # The service's words cut numbers anywhere (two spoken characters at a time here), yet
    # each written number is highlighted whole, by exactly one timing that is heard.
    for number in re.finditer(r"[\d.]+%?", text):
        holders = [t for t in clip.timings if t.text_start < number.end() and t.text_end > number.start()]
        assert len(holders) == 1 and holders[0].end > holders[0].start, number.group()
        assert holders[0].text_start <= number.start() and holders[0].text_end >= number.end()


@pytest.mark.parametrize("trouble", ["drop", "silent", "empty", "truncate"])
def test_a_failed_answer_is_retried(server, trouble):
    server.plan = lambda text, nth: trouble if nth == 1 else "ok"
    clip = EdgeEngine(policy=FAST).synthesize(sentence(), YUNYANG)
    assert server.count(GROWTH.spoken) == 2
    assert clip.duration > 1.0 and covers(clip.timings, len(GROWTH_TEXT), clip.duration)


@pytest.mark.parametrize("status", [429, 503, 403])
def test_a_refused_handshake_is_retried(server, status):
    server.refusals = [status]
    clip = EdgeEngine(policy=FAST).synthesize(sentence(), YUNYANG)
    assert server.connections == 2 and server.count(GROWTH.spoken) == 1
    assert clip.duration > 1.0


def test_a_refusal_that_will_not_change_is_not_retried(server):
    server.refusals = [404]
    with pytest.raises(SynthesisError, match="after 1 attempt: refused with HTTP 404"):
        EdgeEngine(policy=FAST).synthesize(sentence(), YUNYANG)
    assert server.connections == 1


def test_exhausted_retries_name_the_chapter_and_sentence(server):
    server.plan = lambda text, nth: "drop"
    with pytest.raises(SynthesisError) as caught:
        EdgeEngine(policy=FAST).synthesize(sentence(), YUNYANG)
    message = str(caught.value)
    assert "chapter c03" in message and "c03-s02-p004-t007" in message and "3 attempts" in message
    assert "\n" not in message
    assert server.count(GROWTH.spoken) == FAST.attempts


def test_sentences_failing_in_a_row_stop_the_run(server):
    server.plan = lambda text, nth: "ok" if text.startswith("好") else "empty"
    engine = EdgeEngine(policy=FAST)
    good = sentence(*reading(("好的", "好的")), sid="c01-s00-p001-t001")
    engine.synthesize(good, YUNYANG)
    for n in (2, 3):  # two failures, then a success resets the count
        with pytest.raises(SynthesisError):
            engine.synthesize(sentence(sid=f"c01-s00-p001-t00{n}"), YUNYANG)
    engine.synthesize(good, YUNYANG)
    for n in (4, 5):
        with pytest.raises(SynthesisError):
            engine.synthesize(sentence(sid=f"c01-s00-p001-t00{n}"), YUNYANG)
    with pytest.raises(VoiceError, match="keeps failing .3 sentences in a row.*c01-s00-p001-t006"):
        engine.synthesize(sentence(sid="c01-s00-p001-t006"), YUNYANG)
    asked = len(server.requests)
    with pytest.raises(VoiceError, match="keeps failing"):  # the verdict holds: no new request
        engine.synthesize(good, YUNYANG)
    assert len(server.requests) == asked


def test_concurrency_limit_holds_with_more_threads(server):
    server.delay = 0.3
    engine = EdgeEngine(concurrency=3, policy=FAST)
    sentences = [sentence(*reading((f"第{n}项", f"第{n}项")), sid=f"c01-s00-p001-t{i:03d}") for i, n in enumerate("一二三四五六七八九十")]
    with ThreadPoolExecutor(max_workers=8) as pool:
        clips = list(pool.map(lambda s: engine.synthesize(s, YUNYANG), sentences))
    assert len(clips) == 10 and all(c.duration > 0.3 for c in clips)
    assert server.max_active == 3  # reached, never exceeded
    assert len(server.requests) == 10


def test_no_network_fails_fast_with_one_line_and_the_offline_hint(monkeypatch):
    monkeypatch.setattr("edge_tts.communicate.WSS_URL", f"ws://127.0.0.1:{closed_port()}/edge/v1?TrustedClientToken=x")
    engine = EdgeEngine()  # the real policy: its backoff must not apply when the host is unreachable
    started = time.monotonic()
    with pytest.raises(VoiceError) as caught:  # the engine cannot run at all: the run stops
        engine.synthesize(sentence(), YUNYANG)
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert "cannot be reached" in message and "--voice baker" in message and "\n" not in message
    # Every other sentence now fails at once, without trying the network again.
    started = time.monotonic()
    with pytest.raises(VoiceError, match="cannot be reached"):
        engine.synthesize(sentence(sid="c03-s02-p004-t008"), YUNYANG)
    assert time.monotonic() - started < 0.1


def test_a_service_that_answered_once_is_retried_not_declared_gone(monkeypatch):
    with EdgeServer() as srv:
        srv.patch(monkeypatch)
        engine = EdgeEngine(policy=FAST)
        engine.synthesize(sentence(), YUNYANG)
    monkeypatch.setattr("edge_tts.communicate.WSS_URL", f"ws://127.0.0.1:{closed_port()}/edge/v1?TrustedClientToken=x")
    with pytest.raises(SynthesisError, match="after 3 attempts"):
        engine.synthesize(sentence(sid="c03-s02-p004-t008"), YUNYANG)


def test_a_sentence_with_nothing_to_say_needs_no_request(server):
    text, r = reading(("……", "……"))
    clip = EdgeEngine(policy=FAST).synthesize(sentence(text, r), YUNYANG)
    assert server.requests == [] and clip.duration > 0 and not any(clip.pcm)
    assert covers(clip.timings, len(text), clip.duration)


def test_a_bad_voice_name_is_a_voice_error_before_any_request(server):
    with pytest.raises(VoiceError, match="broken"):
        EdgeEngine(policy=FAST).synthesize(sentence(), Voice("broken", "edge", "not a voice"))
    assert server.connections == 0


def test_shipped_profiles_are_edge_voices():
    for name, short in [("yunyang", "zh-CN-YunyangNeural"), ("xiaoxiao", "zh-CN-XiaoxiaoNeural"), ("yunxi", "zh-CN-YunxiNeural")]:
        voice = load_voice(name)
        assert (voice.engine, voice.voice) == ("edge", short)
        prosody(voice)  # its settings convert


def test_online_voice_list_keeps_chinese_voices(server):
    server.voices = [
        {"ShortName": "zh-CN-YunyangNeural", "Gender": "Male", "Locale": "zh-CN", "VoiceTag": {"VoicePersonalities": ["Professional"]}},
        {"ShortName": "en-US-EmmaNeural", "Gender": "Female", "Locale": "en-US"},
        {"ShortName": "zh-TW-HsiaoChenNeural", "Gender": "Female", "Locale": "zh-TW"},
    ]
    voices = list_online_voices()
    assert [v.short_name for v in voices] == ["zh-CN-YunyangNeural", "zh-TW-HsiaoChenNeural"]
    assert voices[0].personalities == ("Professional",)


def test_online_voice_list_without_network_says_so_quickly(monkeypatch):
    monkeypatch.setattr("edge_tts.voices.VOICE_LIST", f"http://127.0.0.1:{closed_port()}/voices/list?x=1")
    started = time.monotonic()
    with pytest.raises(VoiceError, match="cannot be reached"):
        list_online_voices()
    assert time.monotonic() - started < 5
