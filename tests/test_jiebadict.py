"""jieba's prefix dictionary from our cache: the same words as jieba's own, rebuilt when the
cache is missing, stale or damaged, and built anyway where the cache cannot be written."""

from __future__ import annotations

from pathlib import Path

import jieba
import pytest

from accessible import jiebadict

TEXT = "全县生产总值完成118.6亿元，增长5.2%；扎实推进京津冀协同发展。"


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    jiebadict._prefix_dict.cache_clear()
    jiebadict.tokenizer.cache_clear()
    yield tmp_path / "cache" / "accessible" / "jieba-dict.marshal"
    jiebadict._prefix_dict.cache_clear()  # the next test loads the user's own cache again
    jiebadict.tokenizer.cache_clear()


def test_the_cached_dictionary_cuts_as_jieba_does_and_a_bad_cache_is_not_used(cache_home: Path):
    built = jiebadict._prefix_dict()
    assert cache_home.is_file()
    assert jiebadict.tokenizer().lcut(TEXT) == jieba.lcut(TEXT)
    source = jiebadict._source_digest()
    assert jiebadict._load(cache_home, source) == built
    assert jiebadict._load(cache_home, "another jieba") is None
    data = cache_home.read_bytes()
    for damaged in (data[:-100], data[:-1] + bytes([data[-1] ^ 1]), b"", b"\n" + data):
        cache_home.write_bytes(damaged)
        assert jiebadict._load(cache_home, source) is None


def test_added_words_stay_whole_in_their_own_tokenizer_only():
    before = jiebadict.tokenizer().lcut("推进京津冀协同发展")
    extended = jiebadict.tokenizer_with([("京津冀协同发展", None), ("协同", 5)])
    assert extended.lcut("推进京津冀协同发展") == ["推进", "京津冀协同发展"]
    assert extended.FREQ["协同"] == 5
    assert jiebadict.tokenizer().lcut("推进京津冀协同发展") == before != extended.lcut("推进京津冀协同发展")


def test_an_unwritable_cache_folder_still_gives_the_dictionary(cache_home: Path):
    cache_home.parent.parent.mkdir(parents=True)
    cache_home.parent.write_text("a file where the folder would be")
    assert jiebadict.tokenizer().lcut(TEXT) == jieba.lcut(TEXT)
    assert not cache_home.exists()


def test_no_home_folder_still_gives_the_dictionary(cache_home: Path, monkeypatch: pytest.MonkeyPatch):
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(Path, "home", no_home)
    assert jiebadict._cache_file() is None
    assert jiebadict.tokenizer().lcut(TEXT) == jieba.lcut(TEXT)


def test_the_flat_cut_gives_jiebas_words_on_every_kind_of_text():
    data = Path(__file__).parent / "data" / "speech"
    texts = [line for f in sorted(data.rglob("*.txt")) for line in f.read_text(encoding="utf-8").splitlines()]
    sample = Path(jiebadict.__file__).parent / "samples" / "hengshui-2017.txt"
    texts += sample.read_text(encoding="utf-8").splitlines()[:200]
    texts += ["", " ", "\r\n", "abc 12 x", "ISO 9001、A4纸和5G网络", "鿕鿖𠀀🙂", "长江 \t 三角洲\n一体化", "-+#&._%"]
    tokenizer = jiebadict.tokenizer_with([("京津冀协同发展", None)])
    assert len(texts) > 1000
    for text in texts:
        assert jiebadict.lcut(tokenizer, text) == tokenizer.lcut(text, HMM=False), text
