"""Traditional characters read through OpenCC's traditional → simplified conversion.

The word lists, polyphone tables and rules of the speech stage know simplified text, so
a traditional sentence is read as its simplified form (極為 → 极为 jí wéi; OpenCC's phrase
tables keep 著作, 乾隆 …). The conversion is character for character, so offsets carry
over and the origin map stays exact; the text shown stays as written. Simplified text
passes through unchanged.
"""

from __future__ import annotations

from functools import cache

from opencc import OpenCC


@cache
def _converter() -> OpenCC:
    return OpenCC("t2s")


def simplified(text: str) -> str:
    """``text`` in simplified characters, one character for each character of ``text``."""
    if text.isascii():
        return text
    convert = _converter().convert
    out = convert(text)
    if len(out) == len(text):
        return out
    # a phrase changed length: convert character by character, keeping any that would
    return "".join(c if len(s := convert(c)) != 1 else s for c in text)
