"""Bilingual TF-IDF text similarity (jieba + character n-grams)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from silkhub.core.text_similarity import (
    TextIndex,
    analyse,
    char_ngrams,
    cosine_similarity,
    has_cjk,
    normalise,
    tokenize,
)


def test_normalise_full_width_and_case() -> None:
    assert normalise("ＡＢＣ  Port\n") == "abc port"
    assert normalise(None) == ""


def test_tokenize_mixed_zh_en() -> None:
    toks = tokenize("The Jinan Logistics Park 济南物流园区 项目")
    assert toks[:3] == ["jinan", "logistics", "park"]  # "the" is a stop word
    assert "济南" in toks
    assert "项目" not in toks  # stop word
    assert has_cjk("港口") and not has_cjk("port")


def test_char_ngrams_hand_made() -> None:
    # "ab" padded " ab ": 2-grams " a","ab","b "; 3-grams " ab","ab "
    assert char_ngrams("ab") == [" a", "ab", "b ", " ab", "ab "]
    # Chinese run not padded: 港口区 -> 港口, 口区, 港口区
    assert char_ngrams("港口区") == ["港口", "口区", "港口区"]
    feats = analyse("port")
    assert feats == ["w:port", "c: po", "c:por", "c:ort", "c:rt "]
    assert analyse("港口区") == ["w:港口区", "c:港口", "c:口区"]  # jieba keeps 港口区 whole


def test_cosine_hand_computed() -> None:
    # Identical texts -> 1; disjoint -> 0; empty -> 0
    assert cosine_similarity("rail freight", "rail freight") == pytest.approx(1.0)
    assert cosine_similarity("xy", "qq") == 0.0
    assert cosine_similarity("", "rail") == 0.0


def test_tfidf_weights_by_hand() -> None:
    # docs: "aa", "aa bb"  ->  features (words + char n-grams of " aa " / " bb ")
    # "bb"-only features are in 1 of 2 docs: idf = 1 + ln(3/2); shared: idf = 1 + ln(3/3) = 1
    idx = TextIndex(["aa", "aa bb"])
    vocab = idx.vectorizer.vocabulary_
    idf = idx.vectorizer.idf_
    assert idf[vocab["w:aa"]] == pytest.approx(1.0)
    assert idf[vocab["w:bb"]] == pytest.approx(1 + math.log(3 / 2))
    # doc "aa": 3 features of weight 1 (w:aa, " aa", "aa ")
    # doc "aa bb": the same 3 (weight 1) + 3 "bb" ones (weight b = 1.405)
    # cosine = 3 / (sqrt(3) * sqrt(3 + 3 b²))
    b = 1 + math.log(1.5)
    expected = 3 / (math.sqrt(3) * math.sqrt(3 + 3 * b * b))
    assert idx.pair_similarity([0], [1])[0] == pytest.approx(expected, rel=1e-5)


def test_paraphrases_closer_than_unrelated() -> None:
    docs = [
        "济南国际物流园区建设项目",
        "济南市国际物流园区",
        "新疆光伏电站",
        "Jinan international logistics park",
        "International logistics park in Jinan",
        "Solar power plant in Xinjiang",
    ]
    idx = TextIndex(docs)
    s = idx.pair_similarity([0, 0, 3, 3], [1, 2, 4, 5])
    assert s[0] > 0.4 > 0.1 > s[1]
    assert s[2] > 0.4 > s[3]
    q = idx.similarity_to("物流园区")
    assert int(np.argmax(q)) in (0, 1)


def test_empty_corpus() -> None:
    idx = TextIndex(["", None, "的"])
    assert idx.similarity_to("anything").tolist() == [0.0, 0.0, 0.0]
    assert len(idx) == 3


class _FakeEmbedding:
    def encode(self, texts):  # one dimension per text length
        out = np.zeros((len(texts), 26), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, len(t) % 26] = 1.0
        return out


def test_embedding_backend_is_averaged() -> None:
    idx = TextIndex(["apple pie", "zebra"], embedding=_FakeEmbedding())
    # query of 9 CJK characters: no shared word or n-gram; embedding (length 9) equal to
    # "apple pie" (9 characters) -> 0.5*0 + 0.5*1
    assert idx.similarity_to("九九九九九九九九九").tolist() == pytest.approx([0.5, 0.0])
