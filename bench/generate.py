"""Fill a migrated Jishi database with synthetic members and postings for the benchmarks.

    .venv/bin/python bench/generate.py --postings 100000 [--members 3000] [--database-url URL] [--fresh]

Postings are realistic enough for the search to behave as in production: titles and descriptions
in Chinese and English ("优质玉米出售 河南 新粮", "Fresh apples for sale"), real commodities, units
and provinces from the catalogue, prices per unit with the price per kg derived the way the app
derives it, and search_text built by the app's own indexing function. Rows are written with
SQLAlchemy Core in batches; on SQLite the FTS5 index is rebuilt once at the end instead of row by row.
The database comes from --database-url, else DATABASE_URL (read by config.py).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, func, insert, select, text  # noqa: E402
from sqlalchemy.orm import selectinload  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app import create_app  # noqa: E402
from app.catalogue.models import Commodity, Region, Unit  # noqa: E402
from app.catalogue.services import load_catalogue  # noqa: E402
from app.extensions import db  # noqa: E402
from app.members.models import Member, new_session_token  # noqa: E402
from app.postings import services as posting_services  # noqa: E402
from app.postings.models import Posting, PostingPhoto  # noqa: E402
from app.postings.services import build_search_text, compute_price_per_kg, compute_quantity_kg, local_today  # noqa: E402
from app.search.text import index_text  # noqa: E402


@lru_cache(maxsize=200_000)
def _index_part(part: str) -> str:
    return index_text(part)


@lru_cache(maxsize=200_000)
def _pinyin_part(part: str) -> str:
    return index_text(pinyin_of=(part,))


def _memoized_index_text(*parts: str, pinyin_of=()) -> str:
    """index_text() part by part, each part's tokens memoized: the same text (its tokens are the
    parts' tokens in order), but a posting's title, description and names recur across 1,000,000
    generated postings, and preparing them again (pinyin above all: ~3 ms a posting on a busy
    machine) made the build last an hour."""
    return " ".join(filter(None, [*map(_index_part, parts), *map(_pinyin_part, pinyin_of)]))


# build_search_text itself is reused (the posting's parts as the app indexes them), with the memoized tokens.
posting_services.index_text = _memoized_index_text

BENCH_PHONE_PREFIX = "+86199"  # a range the demo data and tests never use
PASSWORD = "bench-password-2026"

SELL_TITLES_ZH = [
    "优质{name}出售 {province} 新粮",
    "{province}{name}大量供应",
    "自家种植{name}，量大从优",
    "新鲜{name}产地直供",
    "{name}批发 {province}产地",
]
BUY_TITLES_ZH = ["求购{name} {province}", "长期收购{name}", "大量收购优质{name}", "急求{name}，现款"]
SELL_TITLES_EN = [
    "Fresh {name} for sale",
    "{name} from {province}, new crop",
    "Premium {name}, direct from the farm",
    "{name} in bulk, {province}",
]
BUY_TITLES_EN = ["Wanted: {name}", "Buying {name} in bulk", "Looking for {name} near {province}"]
DESCRIPTIONS_ZH = [
    "今年新货，品质好，欢迎来电咨询。",
    "合作社统一种植，可开发票，支持实地看货。",
    "量大价优，可代办物流，长期合作。",
    "无农药残留，检测报告齐全。",
]
DESCRIPTIONS_EN = [
    "This season's harvest, well dried and cleaned. Call to arrange a visit.",
    "Grown by our co-op; invoices available, inspection welcome.",
    "Large volumes at a fair price; we can arrange transport.",
    "Tested for residues; certificate available on request.",
]
GRADES = ["", "", "一级", "二级", "Grade A", "特级"]
PLACE_NAMES = ["张庄", "李家村", "王集镇", "红星合作社", "Green Valley", "Sunrise Farm", "东方农场", "丰收合作社"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postings", type=int, default=100_000, help="how many postings to add (default 100000)")
    parser.add_argument("--members", type=int, default=3_000, help="how many bench members own them (default 3000)")
    parser.add_argument("--database-url", help="SQLAlchemy URL; default: DATABASE_URL / the development database")
    parser.add_argument("--batch", type=int, default=5_000, help="rows per INSERT batch")
    parser.add_argument("--seed", type=int, default=2026, help="random seed, for repeatable data")
    parser.add_argument("--fresh", action="store_true", help="first delete every posting and bench member")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    overrides = {"SQLALCHEMY_DATABASE_URI": args.database_url} if args.database_url else {}
    app = create_app(**overrides)
    rng = random.Random(args.seed)
    with app.app_context():
        started = time.perf_counter()
        load_catalogue()
        db.session.commit()
        if args.fresh:
            delete_existing()
        member_ids = create_members(rng, args.members)
        created = create_postings(rng, args.postings, member_ids, args.batch)
        refresh_statistics()
        print(
            f"{len(member_ids)} members, {created} postings in {time.perf_counter() - started:.1f} s "
            f"({db.engine.dialect.name})"
        )


def delete_existing() -> None:
    db.session.execute(delete(PostingPhoto))
    db.session.execute(delete(Posting))
    db.session.execute(delete(Member).where(Member.phone.like(BENCH_PHONE_PREFIX + "%")))
    db.session.commit()


def create_members(rng: random.Random, count: int) -> list[int]:
    """Bench members (sellers and buyers, a tenth of them verified). Returns their ids."""
    existing = db.session.scalar(select(func.count()).where(Member.phone.like(BENCH_PHONE_PREFIX + "%")))
    password_hash = generate_password_hash(PASSWORD)  # one hash: hashing 3,000 would take minutes
    now = datetime.now(UTC)
    rows = []
    for number in range(existing, existing + count):
        place = rng.choice(PLACE_NAMES)
        rows.append(
            {
                "phone": f"{BENCH_PHONE_PREFIX}{number:08d}",
                "display_name": f"{place} {number}",
                "password_hash": password_hash,
                "is_seller": True,
                "is_buyer": rng.random() < 0.5,
                "is_station_operator": False,
                "is_admin": False,
                "session_token": new_session_token(),
                "verified_at": now if rng.random() < 0.1 else None,
                "created_at": now,
                "updated_at": now,
            }
        )
    for start in range(0, len(rows), 5_000):
        db.session.execute(insert(Member), rows[start : start + 5_000])
    db.session.commit()
    return list(db.session.scalars(select(Member.id).where(Member.phone.like(BENCH_PHONE_PREFIX + "%"))))


def create_postings(rng: random.Random, count: int, member_ids: list[int], batch: int) -> int:
    commodities = list(db.session.scalars(select(Commodity).options(selectinload(Commodity.aliases))))
    units = {unit.code: unit for unit in db.session.scalars(select(Unit))}
    regions = list(db.session.scalars(select(Region)))
    # A few staples make up most of the market, as in real life; the rest share what is left.
    weights = [8 if c.slug in {"maize", "wheat", "rice", "apple", "soybean", "potato"} else 1 for c in commodities]
    prices_per_kg = {c.id: Decimal(rng.randint(80, 4000)) / 100 for c in commodities}
    today = local_today()
    now = datetime.now(UTC)
    # The copy of the owner's trusted badge the market filters on (postings.services keeps it).
    verified = set(
        db.session.scalars(select(Member.id).where(Member.id.in_(member_ids), Member.verified_at.is_not(None)))
    )
    written = 0
    with search_index_suspended():
        while written < count:
            rows = []
            for _ in range(min(batch, count - written)):
                commodity = rng.choices(commodities, weights)[0]
                region = rng.choice(regions)
                rows.append(_posting_row(rng, commodity, units, region, member_ids, prices_per_kg, today, now))
                row = rows[-1]
                row["owner_verified"] = row["owner_id"] in verified
                row["quantity_kg"] = compute_quantity_kg(
                    row["quantity"], units[row["unit_code"]], row["unit_weight_kg"]
                )
            with_photo = [row.pop("_photo") for row in rows]
            ids = db.session.scalars(insert(Posting).returning(Posting.id, sort_by_parameter_order=True), rows).all()
            photo_rows = [
                _photo_row(posting_id, now) for posting_id, photo in zip(ids, with_photo, strict=True) if photo
            ]
            if photo_rows:
                db.session.execute(insert(PostingPhoto), photo_rows)
            db.session.commit()
            written += len(rows)
            print(f"  {written}/{count} postings", end="\r", flush=True)
    print()
    return written


def _posting_row(rng, commodity, units, region, member_ids, prices_per_kg, today, now) -> dict:
    kind = "sell" if rng.random() < 0.7 else "buy"
    chinese = rng.random() < 0.6
    names = {
        "name": commodity.name_zh if chinese else commodity.name_en.lower(),
        "province": region.name_zh.rstrip("省市") if chinese else region.name_en,
    }
    if chinese:
        title = rng.choice(SELL_TITLES_ZH if kind == "sell" else BUY_TITLES_ZH).format(**names)
        description = rng.choice(DESCRIPTIONS_ZH)
    else:
        title = rng.choice(SELL_TITLES_EN if kind == "sell" else BUY_TITLES_EN).format(**names)
        title = title[0].upper() + title[1:]
        description = rng.choice(DESCRIPTIONS_EN)
    unit = units[commodity.default_unit_code if rng.random() < 0.7 else rng.choice(["kg", "jin", "t", "bag50"])]
    unit_weight = None if unit.kg_per_unit is not None else Decimal(rng.randint(20, 400))
    weight = unit.kg_per_unit if unit.kg_per_unit is not None else unit_weight
    price = None
    if rng.random() < 0.85:
        price = (prices_per_kg[commodity.id] * Decimal(rng.randint(80, 120)) / 100 * weight).quantize(Decimal("0.01"))
        price = max(price, Decimal("0.01"))
    grade = rng.choice(GRADES)
    status = rng.choices(["active", "paused", "closed", "expired"], [90, 3, 4, 3])[0]
    published = now - timedelta(seconds=rng.randint(0, 90 * 24 * 3600))
    # build_search_text reads attributes only, so the app's own indexing is reused without ORM objects.
    searchable = SimpleNamespace(
        title=title, description=description, variety="", grade=grade, commodity=commodity, province=region
    )
    row = {
        "kind": kind,
        "status": status,
        "owner_id": rng.choice(member_ids),
        "commodity_id": commodity.id,
        "title": title,
        "description": description,
        "variety": "",
        "grade": grade,
        "quantity": Decimal(rng.choice([1, 2, 5, 10, 20, 50, 100, 500, 1000, 5000])),
        "unit_code": unit.code,
        "unit_weight_kg": unit_weight,
        "price": price,
        "price_per_kg": compute_price_per_kg(price, unit, unit_weight),
        "province_code": region.code,
        "locality": rng.choice(PLACE_NAMES),
        "available_until": today + timedelta(days=rng.randint(1, 60)) if status == "active" else today,
        "delivery": rng.choice(["collect", "deliver", "either"]),
        "published_at": published,
        "created_at": published,
        "updated_at": published,
        "_photo": rng.random() < 0.3,
    }
    # The index text includes the locality (issue 16), which is drawn above with the other values.
    searchable.locality = row["locality"]
    row["search_text"] = build_search_text(searchable)
    return row


def _photo_row(posting_id: int, now: datetime) -> dict:
    # No image file is written: the benchmarks measure the HTML, which only names the thumbnail.
    return {
        "posting_id": posting_id,
        "position": 0,
        "filename": f"bench-{posting_id}.jpg",
        "thumb_filename": f"bench-{posting_id}-thumb.jpg",
        "width": 1200,
        "height": 900,
        "created_at": now,
    }


@contextmanager
def search_index_suspended():
    """Drop what keeps the full-text index in step with posting.search_text for the bulk load and
    restore it exactly as migrated afterwards, building the index in one pass (several times faster
    than row by row): the FTS5 triggers on SQLite, the GIN index on PostgreSQL."""
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        saved = list(
            db.session.scalars(
                text(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'posting' AND name LIKE 'posting_fts_%'"
                )
            )
        )
        names = ["DROP TRIGGER posting_fts_ai", "DROP TRIGGER posting_fts_ad", "DROP TRIGGER posting_fts_au"]
    else:
        saved = list(
            db.session.scalars(
                text(
                    "SELECT indexdef FROM pg_indexes WHERE tablename = 'posting' "
                    "AND indexname IN ('ix_posting_search_text', 'ix_posting_search_vector')"
                )
            )
        )
        # ix_posting_search_vector: the GIN index on the stored tsvector since migration 0013.
        names = ["DROP INDEX IF EXISTS ix_posting_search_text", "DROP INDEX IF EXISTS ix_posting_search_vector"]
    for statement in names:
        db.session.execute(text(statement))
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        for sql in saved:
            db.session.execute(text(sql))
        if sqlite:
            db.session.execute(text("INSERT INTO posting_fts(posting_fts) VALUES ('rebuild')"))
        db.session.commit()


def refresh_statistics() -> None:
    """Let the query planner see the new table sizes."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    else:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))


if __name__ == "__main__":
    main()
