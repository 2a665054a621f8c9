"""Web and e-mail addresses, by their parts: www.gov.cn www点gov点cn,
https://www.12306.cn/index/ www点幺二三零六点cn斜杠index, zfxxgk@hengshui.gov.cn
zfxxgk艾特hengshui点gov点cn.

Letters stay letters (the pinyin stage spells them), digits are read one by one, each
sign is said (_SIGNS); digits are read as in phone numbers (1 幺); the scheme (https://) and a final slash are not said,
as a news reader leaves them out. An address needs a scheme, www. or a known
top-level domain, so 3.14 or e.g. are not addresses.
"""

from __future__ import annotations

import re

from .cardinal import say_digits
from .rule import Rule, Said

_SIGNS = {".": "点", "/": "斜杠", "-": "杠", "_": "下划线", "@": "艾特", ":": "冒号", "?": "问号",
          "=": "等于", "&": "和", "#": "井号", "%": "百分号", "~": "波浪号", "+": "加"}
_TLD = "com|cn|net|org|gov|edu|int|mil|info|biz|io|hk|mo|tw|top|xyz|site|mobi|ai|jp|uk|us|de|fr|ru|kr"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST = rf"(?:{_LABEL}\.)+(?:{_TLD})(?![A-Za-z0-9])"
_PATH = r"(?:/[A-Za-z0-9._~%/?#=&+-]*)?"
_TOKEN = re.compile(r"[A-Za-z]+|\d+|.")


def _address(m: re.Match[str]) -> Said:
    text = m.group()
    scheme = re.match(r"[A-Za-z]+://", text)
    parts: list[tuple[str, str]] = [(scheme.group(), "")] if scheme else []
    for token in _TOKEN.findall(text, scheme.end() if scheme else 0):
        if token.isdigit():
            parts.append((token, say_digits(token, yao=True)))
        else:
            parts.append((token, _SIGNS.get(token, token)))
    if text.endswith("/"):
        parts[-1] = ("/", "")
    return parts


RULES = (
    Rule.of("url", rf"(?<![A-Za-z0-9@.])(?:(?:https?|ftp)://{_LABEL}(?:\.{_LABEL})+(?::\d+)?|www\.{_LABEL}(?:\.{_LABEL})+|{_HOST}){_PATH}", _address),
    Rule.of("url", rf"(?<![A-Za-z0-9.])[A-Za-z0-9._%+-]+@{_HOST}", _address),
)
