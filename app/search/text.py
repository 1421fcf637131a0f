"""Text preparation shared by indexing and querying.

Chinese is written without spaces, so a word tokenizer would see "优质玉米出售" as one word. We index
every CJK character and every pair of neighbouring CJK characters as separate tokens (玉, 米, 玉米 …);
free text of a query is prepared the same way, so 玉米 matches 优质玉米出售 on both engines without a
dictionary (the words a dictionary knows — commodities, places — are read before, by
app/search/understanding.py, and become filters).

Folding, alike at index and query time: NFKC and case (full-width "ＣＯＲＮ" → "corn"), Traditional →
Simplified (蘋果 → 苹果, through sms.vocabulary, the one vocabulary), English plurals also indexed in
the singular (apples → apple too), and the title's Chinese also as pinyin syllable pairs (红富士 →
hongfu fushi), which a query in pinyin is matched against.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from app.search.understanding import pinyin_pairs, singular
from sms.vocabulary import fold_for_matching

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_CJK_RUN_RE = re.compile(rf"^[{_CJK}]+$")

# A query term group: any one of its alternatives matches, an alternative when all its terms do.
TermGroup = tuple[tuple[str, ...], ...]


def fold(text: str) -> str:
    """NFKC-normalise, Traditional → Simplified and casefold (full-width "ＣＯＲＮ" → "corn")."""
    return fold_for_matching(text)


def _cjk_tokens(run: str) -> list[str]:
    """Unigrams and bigrams of a run of CJK characters."""
    tokens = list(run)
    tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def index_text(*parts: str, pinyin_of: Iterable[str] = ()) -> str:
    """Space-separated tokens for the full-text index built from ``parts`` (title, names, aliases …),
    plus the pinyin syllable pairs of the Chinese in ``pinyin_of`` (the title)."""
    tokens: list[str] = []
    for part in parts:
        for match in _TOKEN_RE.findall(fold(part)):
            if _CJK_RUN_RE.match(match):
                tokens.extend(_cjk_tokens(match))
            else:
                tokens.append(match)
                one = singular(match)
                if one != match:
                    tokens.append(one)
    for part in pinyin_of:
        for match in _TOKEN_RE.findall(fold(part)):
            if _CJK_RUN_RE.match(match):
                tokens.extend(pinyin_pairs(match))
    return " ".join(tokens)


def query_terms(query: str, limit: int = 12) -> list[str]:
    """Terms a document must all contain to match ``query``.

    A CJK run of two or more characters becomes its bigrams (so 优质玉米 needs 优质, 质玉, 玉米);
    a single CJK character stays a unigram. Latin words stay whole, plurals in the singular. At
    most ``limit`` terms are kept so a pasted essay cannot build a huge query.
    """
    terms: list[str] = []
    for match in _TOKEN_RE.findall(fold(query)):
        if _CJK_RUN_RE.match(match) and len(match) > 1:
            terms.extend(match[i : i + 2] for i in range(len(match) - 1))
        else:
            terms.append(singular(match))
    unique = list(dict.fromkeys(terms))
    return unique[:limit]


def as_groups(terms: Sequence[str | TermGroup]) -> tuple[TermGroup, ...]:
    """Plain terms as groups of one alternative of one term; groups as they are."""
    return tuple(((term,),) if isinstance(term, str) else term for term in terms)


def words_match(groups: Sequence[TermGroup], words: frozenset[str], prefix: Callable[[str], bool]) -> bool:
    """True when the indexed ``words`` satisfy every group, with the engines' rules: a term for
    which ``prefix(term)`` holds also matches longer words that start with it."""

    def term_matches(term: str) -> bool:
        return term in words or (prefix(term) and any(word.startswith(term) for word in words))

    return all(any(all(term_matches(term) for term in alternative) for alternative in group) for group in groups)


def is_cjk(term: str) -> bool:
    """True for a term made only of CJK characters (those are matched whole, never as prefixes)."""
    return bool(_CJK_RUN_RE.match(term))
