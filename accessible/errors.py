"""One exception hierarchy. The CLI turns any `AccessibleError` into a one-line message."""


class AccessibleError(Exception):
    """Base of every error we report to the user (exit code 2, no traceback)."""

    exit_code = 2


class InputError(AccessibleError):
    """The input document cannot be read or holds no usable text."""


class VoiceError(AccessibleError):
    """A voice profile is unknown, malformed, or its engine cannot run here."""


class LexiconError(AccessibleError):
    """A pronunciation lexicon (TOML) is unreadable or has an invalid entry."""


class SynthesisError(AccessibleError):
    """An engine failed to produce a clip after its retries."""


class OutputError(AccessibleError):
    """An output folder or file cannot be written."""


class ClusterError(AccessibleError):
    """The Ray cluster a batch was given cannot be reached or used."""


class ClipError(SynthesisError):
    """Clips needed to assemble audio are missing or corrupt; synthesize ``sentence_ids`` again."""

    def __init__(self, message: str, sentence_ids: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.sentence_ids = sentence_ids
