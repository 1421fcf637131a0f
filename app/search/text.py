"""Text preparation shared by indexing and querying.

Chinese is written without spaces, so a word tokenizer would see "优质玉米出售" as one word. We index
every CJK character and every pair of neighbouring CJK characters as separate tokens (玉, 米, 玉米 …);
a query is prepared the same way, so 玉米 matches 优质玉米出售 on both engines without a dictionary.
Latin text is folded (NFKC + casefold) so full-width letters and capitals match.
"""
from __future__ import annotations

import re
import unicodedata

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_CJK_RUN_RE = re.compile(rf"^[{_CJK}]+$")


def fold(text: str) -> str:
    """NFKC-normalise and casefold (full-width "ＣＯＲＮ" → "corn")."""
    return unicodedata.normalize("NFKC", text or "").casefold()


def _cjk_tokens(run: str) -> list[str]:
    """Unigrams and bigrams of a run of CJK characters."""
    tokens = list(run)
    tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def index_text(*parts: str) -> str:
    """Space-separated tokens for the full-text index built from ``parts`` (title, names, aliases …)."""
    tokens: list[str] = []
    for part in parts:
        for match in _TOKEN_RE.findall(fold(part)):
            tokens.extend(_cjk_tokens(match) if _CJK_RUN_RE.match(match) else [match])
    return " ".join(tokens)


def query_terms(query: str, limit: int = 12) -> list[str]:
    """Terms a document must all contain to match ``query``.

    A CJK run of two or more characters becomes its bigrams (so 优质玉米 needs 优质, 质玉, 玉米);
    a single CJK character stays a unigram. Latin words stay whole. At most ``limit`` terms are
    kept so a pasted essay cannot build a huge query.
    """
    terms: list[str] = []
    for match in _TOKEN_RE.findall(fold(query)):
        if _CJK_RUN_RE.match(match) and len(match) > 1:
            terms.extend(match[i : i + 2] for i in range(len(match) - 1))
        else:
            terms.append(match)
    unique = list(dict.fromkeys(terms))
    return unique[:limit]


def is_cjk(term: str) -> bool:
    """True for a term made only of CJK characters (those are matched whole, never as prefixes)."""
    return bool(_CJK_RUN_RE.match(term))
