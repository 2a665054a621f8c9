"""What makes the offline voice faster: vocoder windows, graph rewrite, XNNPACK settings, threads, int8/fp16.

    .venv/bin/python -m bench voice                         (speed of every option, ~3 min)
    .venv/bin/python -m bench.bench_voice --ear             (and Whisper's CER for each sound)
    .venv/bin/python -m bench.bench_voice --sentences 60 --rounds 3

The acoustic model (FastSpeech2) runs once per chunk of a spread of sample sentences;
then every vocoder option vocodes the same mels, the options taking turns in each round
(the machine is shared: compare ratios within one run). Figures are CPU-seconds per
audio second of the vocoder (process time, less sensitive to the load than wall time),
their ratio to today's option, the frames vocoded per frame of audio (window overlap),
the largest deviation from a single unwindowed pass, and the peak RSS of a fresh process
vocoding the longest chunk (memory grows with the window). Threads are compared in wall
time. With ``--ear``, Whisper transcribes each option's sentences: the faster sound must
not be harder to understand (character error rate, as tests/test_intelligibility.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import numpy as np

from accessible.engines.baker import BakerEngine
from accessible.engines.baker_frontend import Mapper, plan
from accessible.engines.litert_model import (
    HOP, SAMPLE_RATE, VOCODER_CONTEXT, VOCODER_CORE, VOCODER_FILE, VOCODER_MIN_FRAMES, Acoustic, ModelFiles,
    _read, asset_dir, in_windows,
)
from accessible.model import Sentence
from accessible.segment import load_book
from accessible.speech import load_lexicon, read_book
from accessible.voices import Voice, load_voice

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "accessible" / "samples" / "hengshui-2017.txt"
Run = Callable[[np.ndarray], np.ndarray]


def fixed_windows(run: Run, mel: np.ndarray, core: int = 100) -> np.ndarray:
    """The windowing before this bench: fixed windows of core + 2 * context frames, the
    last one shifted back so that every window has the same shape."""
    total, window = len(mel), core + 2 * VOCODER_CONTEXT
    if total <= window:
        return in_windows(run, mel, total)
    pieces, done = [], 0
    while done < total:
        lo = min(max(done - VOCODER_CONTEXT, 0), total - window)
        keep_to = min(done + core, total)
        pieces.append(run(mel[lo : lo + window])[(done - lo) * HOP : (keep_to - lo) * HOP].copy())
        done = keep_to
    return np.concatenate(pieces)


def int8_weights(model: bytes) -> bytes:
    """Every CONV_2D filter as int8 with one scale per output channel (symmetric): LiteRT's
    hybrid kernels quantize the activations on the fly (dynamic-range quantization)."""
    from ai_edge_litert import schema_py_generated as schema

    from accessible.engines.litert_model import _opcode, _packed

    tree = schema.ModelT.InitFromPackedBuf(bytearray(model), 0)
    for graph in tree.subgraphs:
        for op in graph.operators:
            if _opcode(tree.operatorCodes[op.opcodeIndex]) != schema.BuiltinOperator.CONV_2D:
                continue
            tensor = graph.tensors[op.inputs[1]]
            buffer = tree.buffers[tensor.buffer]
            weights = np.frombuffer(bytes(buffer.data), np.float32).reshape(tensor.shape)
            scale = np.abs(weights).reshape(len(weights), -1).max(axis=1) / 127
            scale[scale == 0] = 1.0
            q = np.clip(np.round(weights / scale[:, None, None, None]), -127, 127).astype(np.int8)
            buffer.data = np.frombuffer(q.tobytes(), np.uint8)
            tensor.type = schema.TensorType.INT8
            params = schema.QuantizationParametersT()
            params.scale, params.zeroPoint, params.quantizedDimension = scale.astype(np.float32).tolist(), [0] * len(scale), 0
            tensor.quantization = params
    return _packed(tree, len(model))


def fp16_weights(model: bytes) -> bytes:
    """Every CONV_2D and TRANSPOSE_CONV filter stored as float16 behind a DEQUANTIZE op
    (what TFLite's float16 post-training quantization writes)."""
    from ai_edge_litert import schema_py_generated as schema

    from accessible.engines.litert_model import _opcode, _packed

    tree = schema.ModelT.InitFromPackedBuf(bytearray(model), 0)
    codes = [_opcode(c) for c in tree.operatorCodes]
    dequantize = codes.index(schema.BuiltinOperator.DEQUANTIZE)
    filters = (schema.BuiltinOperator.CONV_2D, schema.BuiltinOperator.TRANSPOSE_CONV)
    for graph in tree.subgraphs:
        new_ops = []
        for op in graph.operators:
            if codes[op.opcodeIndex] in filters:  # the filter is input 1 of both
                slot = 1
                tensor = graph.tensors[op.inputs[slot]]
                assert tree.buffers[tensor.buffer].data is not None, "a filter shared by two ops"

                weights = np.frombuffer(bytes(tree.buffers[tensor.buffer].data), np.float32)
                half = schema.TensorT()
                half.shape, half.type, half.name = tensor.shape, schema.TensorType.FLOAT16, tensor.name + b"_fp16"
                store = schema.BufferT()
                store.data = np.frombuffer(weights.astype(np.float16).tobytes(), np.uint8)
                tree.buffers.append(store)
                half.buffer = len(tree.buffers) - 1
                graph.tensors.append(half)
                tree.buffers[tensor.buffer].data = None  # the float32 filter is now computed
                unpack = schema.OperatorT()
                unpack.opcodeIndex, unpack.inputs, unpack.outputs = dequantize, [len(graph.tensors) - 1], [op.inputs[slot]]
                new_ops.append(unpack)
            new_ops.append(op)
        graph.operators = new_ops
    return _packed(tree, len(model))


@dataclasses.dataclass(frozen=True)
class Option:
    name: str
    model: str = "rewritten"  # rewritten (what ships), original (as in the wheel), int8, fp16
    windows: str = "equal"  # equal (what ships) or fixed (before)
    core: int = VOCODER_CORE
    flags: tuple[tuple[str, Any], ...] = ()


SHIPS = Option(f"rewritten, equal windows <= {VOCODER_CORE} (ships)")
OPTIONS = [
    Option("before: original graph, fixed 100-frame windows", "original", "fixed", 100),
    Option("rewritten graph, fixed 100-frame windows", "rewritten", "fixed", 100),
    *(SHIPS if core == VOCODER_CORE else Option(f"rewritten, equal windows <= {core}", core=core) for core in (100, 150, 200)),
    Option("rewritten, one pass (no windows)", core=100_000),
    dataclasses.replace(SHIPS, name="+ XNNPACK latest features", flags=(("experimental_default_delegate_latest_features", True),)),
    dataclasses.replace(SHIPS, name="+ XNNPACK without delegate clustering", flags=(("experimental_disable_delegate_clustering", True),)),
    dataclasses.replace(SHIPS, name="without XNNPACK (builtin kernels)", flags=(("experimental_op_resolver_type", "no-delegates"),)),
    dataclasses.replace(SHIPS, name="+ int8 filters (dynamic range)", model="int8"),
    dataclasses.replace(SHIPS, name="+ fp16 filters", model="fp16"),
    dataclasses.replace(SHIPS, name="+ fp16 filters, XNNPACK latest features", model="fp16",
                        flags=(("experimental_default_delegate_latest_features", True),)),
]


def model_bytes(files: ModelFiles, option: Option) -> bytes:
    if option.model == "original":
        return _read(asset_dir() / VOCODER_FILE)
    return {"rewritten": lambda b: b, "int8": int8_weights, "fp16": fp16_weights}[option.model](files.vocoder)


def runner(content: bytes, option: Option, threads: int = 1) -> Run:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    flags = dict(option.flags)
    if flags.get("experimental_op_resolver_type") == "no-delegates":
        flags["experimental_op_resolver_type"] = OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    it = Interpreter(model_content=content, num_threads=threads, **flags)
    index, out = it.get_input_details()[0]["index"], it.get_output_details()[0]["index"]
    shape = [0]

    def run(mel: np.ndarray) -> np.ndarray:
        if len(mel) != shape[0]:
            it.resize_tensor_input(index, [1, len(mel), 80])
            it.allocate_tensors()
            shape[0] = len(mel)
        it.set_tensor(index, mel[None].astype(np.float32, copy=False))
        it.invoke()
        return it.get_tensor(out)[0, :, 0]

    return run


def vocoder(files: ModelFiles, option: Option, threads: int = 1) -> tuple[Callable[[np.ndarray], np.ndarray], list[int]]:
    """A vocoder for ``option`` and a counter of the frames it runs through the model."""
    run, frames = runner(model_bytes(files, option), option, threads), [0]

    def counted(mel: np.ndarray) -> np.ndarray:
        frames[0] += max(len(mel), VOCODER_MIN_FRAMES)
        return run(mel)

    window = fixed_windows if option.windows == "fixed" else in_windows
    return (lambda mel: window(counted, mel, option.core)), frames


def sample_sentences(count: int) -> tuple[Voice, list[Sentence]]:
    voice = load_voice("baker")
    book = read_book(load_book(SAMPLE), load_lexicon(voice.lexicon) if voice.lexicon else None)
    sentences = [s for s in book.sentences() if s.reading is not None and len(s.text) > 4]
    step = max(1, len(sentences) // count)
    return voice, sentences[::step][:count]


def peak_rss(option_index: int, frames: int) -> float:
    """The peak RSS (MB) that vocoding ``frames`` frames with one option adds to a fresh
    process that has loaded the models (Linux: the peak is reset after loading)."""
    code = f"""
import numpy as np
from bench.bench_voice import OPTIONS, vocoder
from accessible.engines.litert_model import ModelFiles, asset_dir
def status(key):
    return next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith(key))
files = ModelFiles.load(asset_dir())
mel = np.random.default_rng(0).standard_normal(({frames}, 80)).astype(np.float32) * 0.5
open('/proc/self/clear_refs', 'w').write('5')
base = status('VmRSS:')
vocode, _ = vocoder(files, OPTIONS[{option_index}])
vocode(mel)
print((status('VmHWM:') - base) / 1024)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=40, help="sample sentences, spread over the report")
    parser.add_argument("--rounds", type=int, default=2, help="times each option vocodes every chunk")
    parser.add_argument("--ear", action="store_true", help="also Whisper's CER for each option that changes the sound")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores", flush=True)

    voice, sentences = sample_sentences(args.sentences)
    files = ModelFiles.load(asset_dir())
    mapper = Mapper.from_json(files.mapper)
    acoustic = Acoustic(files)
    mels, start = [], time.process_time()
    for sentence in sentences:
        assert sentence.reading is not None
        for chunk in plan(sentence.reading, sentence.text, mapper):
            mels.append(acoustic(list(chunk.ids), 1.0 / voice.rate, voice.pitch, voice.volume)[0])
    acoustic_cpu = time.process_time() - start
    frames = sum(len(m) for m in mels)
    audio = frames * HOP / SAMPLE_RATE
    print(f"{len(sentences)} sentences, {len(mels)} chunks, {audio:.0f} s of audio; "
          f"longest chunk {max(len(m) for m in mels)} frames")
    print(f"acoustic model: {acoustic_cpu / audio:.4f} CPU-s per audio s (single thread)", flush=True)

    vocoders = [vocoder(files, option) for option in OPTIONS]
    single = vocoders[[o.core for o in OPTIONS].index(100_000)][0]
    reference = [single(m) for m in mels]
    cpu = [0.0] * len(OPTIONS)
    deviation = [0.0] * len(OPTIONS)
    for _ in range(args.rounds):
        for i, (vocode, counter) in enumerate(vocoders):
            counter[0] = 0
            start = time.process_time()
            outputs = [vocode(m) for m in mels]
            cpu[i] += time.process_time() - start
            deviation[i] = max(float(np.abs(a - b).max()) for a, b in zip(outputs, reference))
    longest = max(len(m) for m in mels)
    print(f"\nvocoder, single thread, {args.rounds} rounds taking turns "
          f"(RSS: a fresh process vocoding {longest} frames):")
    print(f"{'option':50s} {'CPU-s/s':>8s} {'ratio':>6s} {'frames':>6s} {'max dev':>8s} {'RSS MB':>7s}")
    for i, option in enumerate(OPTIONS):
        rate = cpu[i] / args.rounds / audio
        print(f"{option.name:50s} {rate:8.4f} {cpu[i] / cpu[0]:6.2f} {vocoders[i][1][0] / frames:6.2f} "
              f"{deviation[i]:8.1e} {peak_rss(i, longest):7.0f}", flush=True)

    shipped = SHIPS
    print(f"\nthreads ({shipped.name}), wall time over the same chunks:")
    halves = [mels[0::2], mels[1::2]]
    walls = {}
    for label, workers, threads in (("1 worker x 1 LiteRT thread", 1, 1), ("1 worker x 2 LiteRT threads", 1, 2),
                                    ("2 workers x 1 LiteRT thread (ships)", 2, 1)):
        pool = [vocoder(files, shipped, threads)[0] for _ in range(workers)]
        start = time.perf_counter()
        if workers == 1:
            for m in mels:
                pool[0](m)
        else:
            with ThreadPoolExecutor(workers) as ex:
                list(ex.map(lambda k: [pool[k](m) for m in halves[k]], range(workers)))
        walls[label] = time.perf_counter() - start
        print(f"  {label:40s} RTF {walls[label] / audio:.4f}  ({walls[label] / next(iter(walls.values())):.2f} of 1 x 1)", flush=True)

    if args.ear:
        print("\nWhisper character error rate over the same sentences (spoken form vs transcript):", flush=True)
        ear_report(files, voice, sentences)
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def ear_report(files: ModelFiles, voice: Voice, sentences: list[Sentence]) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from whisper_ear import cer, comparable, load_ear

    ear = load_ear()
    for option in (o for o in OPTIONS if o is SHIPS or o.model in ('int8', 'fp16') and not o.flags):
        engine = BakerEngine(workers=1)
        engine._files = dataclasses.replace(files, vocoder=model_bytes(files, option))  # noqa: SLF001 (a bench)
        engine._mapper = Mapper.from_json(files.mapper)
        errors = characters = 0.0
        for sentence in sentences:
            clip = engine.synthesize(sentence, voice)
            assert sentence.reading is not None
            size = len(comparable(sentence.reading.spoken))
            errors += cer(sentence.reading.spoken, ear.transcribe(clip.pcm, clip.sample_rate)) * size
            characters += size
        print(f"  {option.name:50s} CER {errors / characters:.4f} ({characters:.0f} characters)", flush=True)


if __name__ == "__main__":
    main()
