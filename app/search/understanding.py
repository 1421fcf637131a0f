"""Reading a search query the way a buyer means it: commodities, places, grades, the kind of posting
and the rest as free text (issue 16).

"河南新鲜玉米出售" is 河南 (a province) + 新鲜 (a grade) + 玉米 (maize) + 出售 (sell offers); "yantai
pingguo", "煙台蘋果" and "apples yantai" read the same as "烟台苹果". Pure Python, no database: the caller
hands in the catalogue rows (:meth:`QueryVocabulary.build`), and the same reading serves the market,
saved searches and their alerts, the SMS reader's places and the forum.

The segmenter is a dictionary built from the catalogue (names, aliases, pinyin), the places (provinces,
prefecture-level cities, counties and producing regions of app/catalogue/data/places-cn.csv), grade
words and kind words. A run of Chinese characters is cut into the dictionary words that cover the most
characters, in the fewest pieces; characters no word covers stay free text and are matched by bigrams
(as before). Why not jieba: its general dictionary does not know 玉茭 or 库尔勒 and would cut produce
names its own way; the words that matter here are exactly the catalogue's and the places', and a
dictionary of a few thousand words answers in microseconds without a 20 MB model (docs/search.md).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sms.vocabulary import FILLERS, GRADE_WORDS, KIND_WORDS, csv_rows, pinyin_names
from sms.vocabulary import fold as fold_script

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_CJK_RE = re.compile(rf"^[{_CJK}]+$")
# Longest dictionary word looked for (characters): 新疆维吾尔自治区 and the longest county names.
MAX_WORD = 12
# Latin words at least this long tolerate one typo ("aples", "shandon"); shorter ones may be
# completed as a prefix of exactly one known word ("maiz" → "maize").
TYPO_MIN_LENGTH = 5
PREFIX_MIN_LENGTH = 4
# Pieces of a run-together Latin word ("henanyumi" → henan + yumi) must be at least this long.
GLUED_PIECE_MIN = 4
MAX_QUERY_PARTS = 16

ROLE_ORDER = ("commodity", "place", "grade", "kind", "text")
_PROVINCE_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")


def fold(text: str) -> str:
    """NFKC, lower case, Traditional → Simplified, one character for one (positions are kept)."""
    return fold_script(unicodedata.normalize("NFKC", text or ""))


def is_cjk(text: str) -> bool:
    return bool(_CJK_RE.match(text))


def singular(word: str) -> str:
    """An English plural folded to its singular: apples → apple, tomatoes → tomato, cherries → cherry,
    boxes → box; words that are not plurals come back as they are. A rule of thumb, not a stemmer:
    it only has to agree with itself at index and query time."""
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("oes", "ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one insertion, deletion, substitution or swap of
    two neighbouring letters."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


@dataclass(frozen=True)
class Place:
    """A place a query can name: a province (``level`` "province") or a city, county or producing
    region inside ``province_code``. ``name_zh`` is the name shown; ``mention`` the short name a
    posting's text would contain (烟台 for 烟台市)."""

    name_zh: str
    name_en: str
    province_code: str
    level: str
    mention: str


@dataclass(frozen=True)
class CommodityRow:
    """What understanding needs of one catalogue commodity: its slug, database id, the two names
    shown and every name it answers to (names, aliases; pinyin is added here)."""

    slug: str
    id: int
    name_en: str
    name_zh: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """One dictionary word: ``role`` commodity (value: slug), place (value: Place), grade (value: the
    grade's Chinese word), kind (value: "sell" or "buy") or filler (no value)."""

    role: str
    value: object


@dataclass(frozen=True)
class Part:
    """One understood piece of a query: ``text`` as typed at ``start:end`` of the NFKC query, its
    ``role`` and ``value`` (see :class:`Entry`; for free text the folded word), and ``corrected``
    when a typo or a prefix was read as a known word."""

    role: str
    text: str
    start: int
    end: int
    value: object
    corrected: bool = False


@dataclass(frozen=True)
class Understanding:
    """How a query was read. ``query`` is the NFKC text that part positions refer to."""

    query: str
    parts: tuple[Part, ...] = ()

    def of_role(self, role: str) -> list[Part]:
        return [part for part in self.parts if part.role == role]

    @property
    def commodity_slugs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(part.value for part in self.of_role("commodity")))

    @property
    def places(self) -> tuple[Place, ...]:
        return tuple(dict.fromkeys(part.value for part in self.of_role("place")))

    @property
    def province_codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(place.province_code for place in self.places))

    @property
    def place_mentions(self) -> tuple[str, ...]:
        """Short names of the cities, counties and regions named (a posting mentioning one ranks first)."""
        return tuple(dict.fromkeys(place.mention for place in self.places if place.level != "province"))

    @property
    def grades(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(part.value for part in self.of_role("grade")))

    @property
    def kind(self) -> str:
        """ "sell" or "buy" when the query names one kind only, else ""."""
        kinds = {part.value for part in self.of_role("kind")}
        return kinds.pop() if len(kinds) == 1 else ""

    @property
    def free_words(self) -> tuple[str, ...]:
        return tuple(word for part in self.of_role("text") for word in str(part.value).split())

    @property
    def mentions(self) -> tuple[tuple[str, ...], ...]:
        """For each city, county, grade and kind word of the query, the words of which a posting's
        text mentioning any ranks it higher (the typed word and, for a grade, its Chinese word)."""
        found: list[tuple[str, ...]] = [(mention,) for mention in self.place_mentions]
        for part in self.parts:
            if part.role == "grade":
                found.append(tuple(dict.fromkeys((fold(part.text), part.value))))
            elif part.role == "kind" and _has_cjk(part.text):
                found.append((fold(part.text),))
        return tuple(dict.fromkeys(found))

    @property
    def is_empty(self) -> bool:
        return not self.parts

    @property
    def understood_anything(self) -> bool:
        """True when some part is more than free text."""
        return any(part.role != "text" for part in self.parts)

    def without(self, *parts: Part) -> str:
        """The query with ``parts`` cut out (for "remove this part" links), spaces tidied."""
        text = self.query
        for part in sorted(parts, key=lambda p: p.start, reverse=True):
            text = text[: part.start] + " " + text[part.end :]
        return " ".join(text.split())

    def replaced(self, part: Part, new_text: str) -> str:
        """The query with ``part`` replaced by ``new_text`` (a suggested correction)."""
        return " ".join((self.query[: part.start] + " " + new_text + " " + self.query[part.end :]).split())


@dataclass(frozen=True)
class QueryVocabulary:
    """Every word a query can be read as. Build it with :meth:`build`; it is immutable and can be
    shared by threads and cached as long as the catalogue does not change."""

    words: dict[str, Entry]
    commodities: dict[str, CommodityRow]
    # Single Latin words known on their own or as part of a phrase ("sweet", "potato", "yu"): what a
    # typo is corrected to. Not the pinyin of cities and counties: there are thousands, and English
    # words are one letter from some of them (drying, daying 大英).
    latin_words: frozenset[str] = field(default=frozenset())
    # The same, of commodity names only: a typo or a prefix is read as a commodity first.
    commodity_latin_words: frozenset[str] = field(default=frozenset())
    provinces: dict[str, Place] = field(default_factory=dict)
    max_phrase_words: int = 1
    # Words already corrected (the same few hundred words are typed all day); bounded below.
    _corrections: dict[str, tuple[str, bool]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls,
        commodities: Iterable[CommodityRow],
        provinces: Iterable[tuple[str, str, str]],
        places: Iterable[dict[str, str]] | None = None,
    ) -> QueryVocabulary:
        """From the catalogue's commodities, the provinces as ``(code, name_en, name_zh)`` and the
        place rows of places-cn.csv (read from the shipped CSV when None).

        Later layers never override earlier ones for the same word: commodities first (a buyer
        typing 黄山 in a produce market … means the place, but 红枣 is the fruit), then kinds,
        grades, provinces, places and fillers."""
        commodities = list(commodities)
        words: dict[str, Entry] = {}

        def add(word: str, entry: Entry) -> None:
            key = " ".join(fold(word).split())
            if key and key not in words:
                words[key] = entry

        pinyin_owners: dict[str, set[str]] = {}
        spelled_in_pinyin: set[str] = set()
        for row in commodities:
            for name in (row.name_en, row.name_zh, *row.names):
                add(name, Entry("commodity", row.slug))
                for spelling in pinyin_names(fold(name).strip()):
                    pinyin_owners.setdefault(spelling, set()).add(row.slug)
        for spelling, slugs in pinyin_owners.items():
            spelled_in_pinyin.update(spelling.split())
            if len(slugs) == 1:
                add(spelling, Entry("commodity", next(iter(slugs))))
        for word, kind in KIND_WORDS.items():
            add(word, Entry("kind", kind))
        for word, grade in GRADE_WORDS.items():
            add(word, Entry("grade", grade))
        province_places: dict[str, Place] = {}
        for code, name_en, name_zh in provinces:
            short = _short_province(fold(name_zh))
            place = Place(
                name_zh=short or name_zh,
                name_en=name_en,
                province_code=code,
                level="province",
                mention=short or name_zh,
            )
            province_places[code] = place
            for name in (name_zh, short, name_en, *pinyin_names(short or "")):
                if name:
                    add(name, Entry("place", place))
        place_pinyin: dict[str, list[Place]] = {}
        for row in csv_rows("places-cn.csv") if places is None else places:
            if row["province_code"] not in province_places:
                continue
            short = row["short_zh"]
            place = Place(
                name_zh=short or row["name_zh"],
                name_en=(row.get("pinyin") or "").capitalize(),
                province_code=row["province_code"],
                level=row["level"],
                mention=short or row["name_zh"],
            )
            add(row["name_zh"], Entry("place", place))
            if short:
                add(short, Entry("place", place))
                if row.get("pinyin") and len(row["pinyin"]) >= GLUED_PIECE_MIN:
                    place_pinyin.setdefault(row["pinyin"], []).append(place)
        for spelling, owners in place_pinyin.items():
            if len(owners) == 1:  # wuchang is 五常 and 武昌: pinyin that two places share names neither
                add(spelling, Entry("place", owners[0]))
        for word in FILLERS:
            add(word, Entry("filler", None))
        pinyin_syllables()  # built here, once, rather than by the first search with a Latin word

        def latin_pieces(roles: tuple[str, ...]) -> frozenset[str]:
            return frozenset(
                piece
                for word, entry in words.items()
                if not _has_cjk(word)
                and entry.role in roles
                and (entry.role != "place" or entry.value.level == "province")
                for piece in word.split()
                if piece.isalpha()
            )

        return cls(
            words=words,
            commodities={row.slug: row for row in commodities},
            latin_words=latin_pieces(("commodity", "kind", "grade", "place", "filler")),
            # English names only: "maiz" is maize, not 麦子 (maizi).
            commodity_latin_words=latin_pieces(("commodity",)) - spelled_in_pinyin,
            provinces=province_places,
            max_phrase_words=max((len(word.split()) for word in words if not _has_cjk(word)), default=1),
        )

    def understand(self, query: str) -> Understanding:
        """Read ``query`` (any text; never raises). Parts come in the order they were typed."""
        text = unicodedata.normalize("NFKC", query or "")
        folded = fold(text)
        parts: list[Part] = []
        latin_run: list[tuple[str, int, int]] = []
        for match in _TOKEN_RE.finditer(folded):
            token, start, end = match.group(), match.start(), match.end()
            if is_cjk(token):
                parts.extend(self._latin(latin_run, text))
                latin_run = []
                parts.extend(self._cjk(token, start, text))
            else:
                latin_run.append((token, start, end))
        parts.extend(self._latin(latin_run, text))
        kept = [part for part in parts if part.role != "filler"]
        if kept and all(part.role in ("grade", "kind") for part in kept) and any(p.role == "grade" for p in kept):
            # Only adjectives ("organic", "新鲜"): a boost would rank the whole market, so they are
            # words the postings must contain, as any other free text.
            kept = [
                Part("text", part.text, part.start, part.end, _free_form(fold(part.text)))
                if part.role == "grade"
                else part
                for part in kept
            ]
        return Understanding(query=text, parts=tuple(kept[:MAX_QUERY_PARTS]))

    # Chinese runs -------------------------------------------------------------------------------

    def _cjk(self, run: str, offset: int, text: str) -> list[Part]:
        """Cut ``run`` into dictionary words covering the most characters in the fewest pieces."""
        n = len(run)
        # best[i]: (uncovered characters, pieces) of the best cut of run[:i], and the word ending at i.
        best: list[tuple[tuple[int, int], int, Entry | None]] = [((0, 0), 0, None)] + [((n + 1, n + 1), 0, None)] * n
        for i in range(n):
            cost = best[i][0]
            if cost[0] > n:
                continue
            free = ((cost[0] + 1, cost[1] + 1), i, None)
            if free[0] < best[i + 1][0]:
                best[i + 1] = free
            for j in range(i + 1, min(n, i + MAX_WORD) + 1):
                entry = self.words.get(run[i:j])
                if entry is None or not self._allowed_in_run(entry, run, i, j):
                    continue
                candidate = ((cost[0], cost[1] + 1), i, entry)
                if candidate[0] < best[j][0]:
                    best[j] = candidate
        pieces: list[tuple[int, int, Entry | None]] = []
        j = n
        while j > 0:
            _, i, entry = best[j]
            pieces.append((i, j, entry))
            j = i
        pieces.reverse()
        parts: list[Part] = []
        free_start: int | None = None
        for i, j, entry in pieces + [(n, n, Entry("end", None))]:
            if entry is None:
                free_start = i if free_start is None else free_start
                continue
            if free_start is not None:
                parts.append(self._part("text", run[free_start:i], offset + free_start, offset + i, text))
                free_start = None
            if entry.role != "end":
                parts.append(Part(entry.role, text[offset + i : offset + j], offset + i, offset + j, entry.value))
        return parts

    @staticmethod
    def _allowed_in_run(entry: Entry, run: str, i: int, j: int) -> bool:
        # One-character words (收, 卖, 米, 梨) are everyday characters inside other words (丰收, 米粉):
        # they count only at either end of a run, where a buyer puts them (收玉米, 玉米收, 买梨).
        if j - i > 1 or entry.role == "filler":
            return True
        return i == 0 or j == len(run)

    @staticmethod
    def _part(role: str, folded_word: str, start: int, end: int, text: str) -> Part:
        return Part(role, text[start:end], start, end, folded_word)

    # Latin words --------------------------------------------------------------------------------

    def _latin(self, run: list[tuple[str, int, int]], text: str) -> list[Part]:
        """Read a run of Latin words (and numbers): phrases first ("sweet potato", "yu mi"), each word
        corrected when it is a plural, a typo or a prefix of a known word."""
        corrected = [self._correct(word) for word, _, _ in run]
        parts: list[Part] = []
        i = 0
        while i < len(run):
            for size in range(min(self.max_phrase_words, len(run) - i), 0, -1):
                phrase = " ".join(form for form, _ in corrected[i : i + size])
                entry = self.words.get(phrase)
                if entry is not None:
                    start, end = run[i][1], run[i + size - 1][2]
                    was_corrected = any(flag for _, flag in corrected[i : i + size])
                    parts.append(Part(entry.role, text[start:end], start, end, entry.value, was_corrected))
                    i += size
                    break
            else:
                word, start, end = run[i]
                form, was_corrected = corrected[i]
                if was_corrected:  # "peper" is pepper, though only "bell pepper" names a commodity
                    parts.append(Part("text", text[start:end], start, end, form, True))
                else:
                    parts.extend(self._glued(word, start, end, text))
                i += 1
        return parts

    def _correct(self, word: str) -> tuple[str, bool]:
        """The known word ``word`` stands for and whether it was corrected; ``word`` itself when unknown."""
        if word in self.latin_words or word in self.words or not word.isalpha():
            return word, False
        found = self._corrections.get(word)
        if found is None:
            if len(self._corrections) > 20_000:
                self._corrections.clear()
            found = self._corrections[word] = self._corrected(word)
        return found

    def _corrected(self, word: str) -> tuple[str, bool]:
        one = singular(word)
        if one in self.latin_words:
            return one, False
        for known_words in (self.commodity_latin_words, self.latin_words):
            if len(word) >= TYPO_MIN_LENGTH:
                for candidate in dict.fromkeys((word, one)):
                    close = sorted(
                        known
                        for known in known_words
                        if abs(len(known) - len(candidate)) <= 1
                        and len(known) >= TYPO_MIN_LENGTH - 1
                        and within_one_edit(candidate, known)
                    )
                    if len(close) == 1:
                        return close[0], True
            if len(word) >= PREFIX_MIN_LENGTH:
                longer = [known for known in known_words if known.startswith(word) and len(known) > len(word)]
                if len(longer) == 1:
                    return longer[0], True
        return word, False

    def _glued(self, word: str, start: int, end: int, text: str) -> list[Part]:
        """A Latin word no phrase covers: pinyin typed without spaces ("henanyumi") when it splits
        wholly into known words, else free text (its singular, for the index holds those too)."""
        if word.isalpha() and len(word) >= 2 * GLUED_PIECE_MIN:
            pieces = self._split_glued(word)
            if pieces:
                parts, position = [], start
                for piece in pieces:
                    entry = self.words[piece]
                    parts.append(
                        Part(
                            entry.role,
                            text[position : position + len(piece)],
                            position,
                            position + len(piece),
                            entry.value,
                        )
                    )
                    position += len(piece)
                return parts
        return [Part("text", text[start:end], start, end, singular(word))]

    def _split_glued(self, word: str) -> list[str] | None:
        n = len(word)
        reach: dict[int, list[str]] = {0: []}
        for i in range(n):
            if i not in reach:
                continue
            for j in range(i + GLUED_PIECE_MIN, n + 1):
                piece = word[i:j]
                if piece in self.words and self.words[piece].role != "filler" and j not in reach:
                    reach[j] = reach[i] + [piece]
        return reach.get(n)

    # Suggestions --------------------------------------------------------------------------------

    def closest_commodity(self, word: str) -> str | None:
        """The slug of the commodity whose Latin name is nearest ``word`` (two edits at most), for
        "did you mean" when a search finds nothing; None when none is near."""
        word = singular(fold(word).strip())
        if len(word) < PREFIX_MIN_LENGTH or not word.isalpha():
            return None
        best: tuple[int, str] | None = None
        for known, slug in self._latin_commodity_words:
            distance = _edit_distance(word, known, limit=2)
            if distance <= 2 and (best is None or distance < best[0]):
                best = (distance, slug)
        return best[1] if best else None

    @functools.cached_property
    def _latin_commodity_words(self) -> tuple[tuple[str, str], ...]:
        """``(word, commodity slug)`` of every one-word Latin name of a commodity, in the
        vocabulary's order: what :meth:`closest_commodity` compares a word with (picked once, not
        from every word of the vocabulary for each search that finds nothing)."""
        return tuple(
            (known, entry.value)
            for known, entry in self.words.items()
            if entry.role == "commodity" and not _has_cjk(known) and " " not in known
        )


def _free_form(folded: str) -> str:
    """A typed word as free text: Chinese as it is, Latin words in the singular."""
    return " ".join(singular(word) for word in folded.split()) if not _has_cjk(folded) else folded


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def _short_province(name: str) -> str | None:
    for suffix in _PROVINCE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            short = name[: -len(suffix)]
            return short[:2] if len(short) > 3 else short
    return None


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


@functools.lru_cache(maxsize=1)
def reference_vocabulary() -> QueryVocabulary:
    """A vocabulary from the shipped CSVs only (tests, scripts; the app builds one from its database)."""
    from sms.vocabulary import csv_commodity_names

    rows = [
        CommodityRow(slug, index, names[0], names[1], tuple(names))
        for index, (slug, names) in enumerate(csv_commodity_names(), 1)
    ]
    provinces = [(row["code"], row["name_en"], row["name_zh"]) for row in csv_rows("regions-cn.csv")]
    return QueryVocabulary.build(rows, provinces)


def search_terms(words: Sequence[str]) -> list[str]:
    """Index terms a free word must match: CJK bigrams (a single character stays itself), Latin words whole."""
    terms: list[str] = []
    for word in words:
        if is_cjk(word) and len(word) > 1:
            terms.extend(word[i : i + 2] for i in range(len(word) - 1))
        else:
            terms.append(word)
    return list(dict.fromkeys(terms))


def pinyin_pairs(run: str) -> list[str]:
    """The pinyin of neighbouring characters of a Chinese run, joined: 红富士 → ["hongfu", "fushi"]
    (the index's pinyin tokens, as CJK bigrams are its Chinese ones)."""
    from pypinyin import lazy_pinyin  # ~0.2 s to import; needed only when indexing

    syllables = [s for s in lazy_pinyin(run) if s.isascii() and s.isalpha()]
    return [syllables[i] + syllables[i + 1] for i in range(len(syllables) - 1)]


@functools.lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (about 420), from pypinyin's character table."""
    from pypinyin import Style
    from pypinyin.pinyin_dict import pinyin_dict
    from pypinyin.style import convert

    return frozenset(
        convert(reading, Style.NORMAL, strict=True)
        for readings in pinyin_dict.values()
        for reading in readings.split(",")
    )


def pinyin_alternative(word: str) -> tuple[str, ...] | None:
    """A Latin word read as pinyin of two or more syllables ("hongfushi" → ("hongfu", "fushi")), the
    index terms it must match; None when it does not split wholly into syllables. Longest syllables
    first, backtracking (xian is one syllable, not xi + an)."""
    if not (word.isascii() and word.isalpha()) or len(word) < 4 or len(word) > 40:
        return None
    syllables = pinyin_syllables()

    @functools.cache
    def split(start: int) -> tuple[str, ...] | None:
        if start == len(word):
            return ()
        for end in range(min(len(word), start + 6), start, -1):
            if word[start:end] in syllables:
                rest = split(end)
                if rest is not None:
                    return (word[start:end], *rest)
        return None

    found = split(0)
    if not found or len(found) < 2:
        return None
    return tuple(dict.fromkeys(found[i] + found[i + 1] for i in range(len(found) - 1)))


def text_groups(understanding: Understanding, limit: int = 12) -> list[tuple[tuple[str, ...], ...]]:
    """Full-text term groups (app/search/text.py TermGroup) for the free words of ``understanding``:
    a Chinese word's bigrams, each required; a Latin word as itself or, when it reads as pinyin, as
    the pinyin pairs of the title ("hongfushi" finds 红富士). At most ``limit`` groups."""
    groups: list[tuple[tuple[str, ...], ...]] = []
    for part in understanding.of_role("text"):
        typed = fold(part.text).split()
        for index, word in enumerate(str(part.value).split()):
            if is_cjk(word):
                groups.extend(((term,),) for term in search_terms([word]))
                continue
            alternatives = [(word,)]
            if part.corrected and index < len(typed):  # "peper" may be pepper, or what was typed
                alternatives.append((singular(typed[index]),))
            pinyin = pinyin_alternative(word)
            if pinyin and pinyin != (word,):
                alternatives.append(pinyin)
            groups.append(tuple(dict.fromkeys(alternatives)))
    return list(dict.fromkeys(groups))[:limit]


def mention_terms(word: str) -> tuple[str, ...]:
    """The index tokens that show a text mentions ``word`` (its bigrams, or the character itself)."""
    folded = fold(word)
    return tuple(search_terms([folded])) if is_cjk(folded) else (folded,)


def expanded_groups(
    understanding: Understanding, vocabulary: QueryVocabulary, limit: int = 12
) -> list[tuple[tuple[str, ...], ...]]:
    """Full-text term groups for a table that has no commodity or province column (the forum):
    a commodity matches any of its names and aliases (棒子 finds posts saying 玉米 or corn), a place
    its short or full name, a grade or kind word itself or its Chinese word, free words as in
    :func:`text_groups`. At most ``limit`` groups."""
    groups: list[tuple[tuple[str, ...], ...]] = []
    for part in understanding.parts:
        if part.role == "text":
            continue
        if part.role == "commodity":
            row = vocabulary.commodities.get(part.value)
            # A one-character alias (米 of 大米) would find every post with that character (玉米).
            names = [
                fold(part.text),
                *(
                    name
                    for name in ((row.name_zh, row.name_en, *row.names) if row else ())
                    if not (is_cjk(name) and len(name) == 1)
                ),
            ]
        elif part.role == "place":
            names = [part.value.mention, part.value.name_zh, part.value.name_en]
        elif part.role == "grade":
            names = [fold(part.text), part.value]
        else:
            names = [fold(part.text)]
        alternatives = []
        for name in names:
            folded = " ".join(fold(name or "").split())
            if folded:
                alternatives.append(
                    tuple(
                        search_terms([singular(word) for word in folded.split()])
                        if not is_cjk(folded)
                        else search_terms([folded])
                    )
                )
        if alternatives:
            groups.append(tuple(dict.fromkeys(alternatives)))
    groups.extend(text_groups(understanding, limit))
    return list(dict.fromkeys(groups))[:limit]
