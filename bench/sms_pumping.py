"""How many SMS can an attacker make a running Jishi send? (issue 23, SMS pumping)

Runs three bounded attacks against a live server (gunicorn on 127.0.0.1) for a fixed time each, from
several client addresses on the loopback range (127.0.0.2, 127.0.0.3 …: the address the app sees as
request.remote_addr), then counts the SMS rows the outbox received during each attack:

* station — sign up as an information station (self-service) and "post for a farmer" to fresh
  numbers, +86 and foreign;
* signup — sign up fresh numbers (each gets a verification code), +86 and foreign, from every address;
* reset — ask for password-reset codes for fresh numbers from every address.

Usage (the server must use the same database):
    .venv/bin/python bench/sms_pumping.py --base http://127.0.0.1:8000 --database-url postgresql+psycopg://…

Prints one line per attack: requests sent, SMS written to the outbox, and that count scaled to an
hour. Every loop stops by itself after --seconds; only loopback addresses are ever contacted.
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import time
from datetime import UTC, datetime

import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import create_engine, text

QUESTION = re.compile(r"what is (\d+) plus (\d+)\?")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
FOREIGN = ["+447700900{:03d}", "+37120{:06d}", "+234803{:07d}"]  # UK, Latvia, Nigeria mobiles
_serial = itertools.count(random.randrange(10_000_000, 80_000_000))


class SourceAddressAdapter(HTTPAdapter):
    """Sends from a chosen loopback address, so the server sees several clients."""

    def __init__(self, source: str):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def client(source: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", SourceAddressAdapter(source))
    return session


def csrf(session: requests.Session, url: str) -> str:
    match = CSRF.search(session.get(url, timeout=10).text)
    return (match.group(1) or match.group(2)) if match else ""


CHINA_RANGES = (
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "158",
    "159",
    "186",
    "187",
    "188",
)


def china_number() -> str:
    # Spread over many number ranges, as a pumping attacker would once a range has a budget.
    return f"+86{random.choice(CHINA_RANGES)}{next(_serial) % 100_000_000:08d}"


def foreign_number() -> str:
    return random.choice(FOREIGN).format(next(_serial) % 1000)


def fresh_number(turn: int) -> str:
    # Every fourth number is foreign: an attacker pumps expensive destinations.
    return foreign_number() if turn % 4 == 3 else china_number()


def post_solving_human_check(session: requests.Session, url: str, data: dict) -> requests.Response:
    """Post ``data``; when the answer is the human-check question, answer it like a bot would."""
    response = session.post(url, data=data, allow_redirects=False, timeout=10)
    question = QUESTION.search(response.text) if response.status_code == 422 else None
    if question:
        answer = str(int(question.group(1)) + int(question.group(2)))
        response = session.post(url, data={**data, "human_answer": answer}, allow_redirects=False, timeout=10)
    return response


def signup(session: requests.Session, base: str, phone: str, kinds: str = "seller") -> requests.Response:
    return post_solving_human_check(
        session,
        f"{base}/signup",
        {
            "csrf_token": csrf(session, f"{base}/signup"),
            "phone": phone,
            "password": "pump-the-sms-2026",
            "confirm": "pump-the-sms-2026",
            "display_name": "Pump",
            "email": "",
            "kinds": kinds,
            "locale": "en",
        },
    )


def posting_form(token: str, farmer: str) -> dict:
    today = datetime.now(UTC).date()
    return {
        "csrf_token": token,
        "farmer_phone": farmer,
        "farmer_name": "Call +1 900 555 0100 now",
        "kind": "sell",
        "commodity_id": "1",
        "title": "Free prize at example.com",
        "description": "",
        "variety": "",
        "grade": "",
        "quantity": "20",
        "unit_code": "t",
        "unit_weight_kg": "",
        "min_order": "",
        "price": "2400",
        "province_code": "41",
        "locality": "",
        "available_from": today.isoformat(),
        "available_until": "",
        "delivery": "either",
        "lot_code": "",
        "harvest_date": "",
        "publish": "Publish",
    }


def count_sms(engine, since: datetime) -> int:
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT count(*) FROM notification WHERE channel = 'sms' AND created_at >= :since"),
            {"since": since},
        ).scalar()


def attack_station(base: str, seconds: float, engine, approve: bool) -> tuple[int, dict]:
    session = client("127.0.0.50")
    station_phone = china_number()
    signup(session, base, station_phone, kinds="station")
    if approve:
        # The worst case after issue 23: an admin approved a station that then turns to pumping.
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE member SET station_review = 'approved' WHERE phone = :phone"), {"phone": station_phone}
            )
    session.post(
        f"{base}/login",
        data={"csrf_token": csrf(session, f"{base}/login"), "phone": station_phone, "password": "pump-the-sms-2026"},
        allow_redirects=False,
        timeout=10,
    )
    token = csrf(session, f"{base}/station/postings/new")
    outcomes: dict = {}
    deadline, sent = time.monotonic() + seconds, 0
    for turn in itertools.count():
        if time.monotonic() > deadline:
            break
        response = session.post(
            f"{base}/station/postings/new",
            data=posting_form(token, fresh_number(turn)),
            allow_redirects=False,
            timeout=10,
        )
        outcomes[response.status_code] = outcomes.get(response.status_code, 0) + 1
        sent += 1
    return sent, outcomes


def attack_codes(base: str, seconds: float, addresses: int, kind: str, registered: list[str]) -> tuple[int, dict]:
    """Sign-up codes to fresh numbers, or reset codes to the numbers signed up before (a reset code
    goes only to a registered number), round robin over ``addresses`` client addresses."""
    sessions = [client(f"127.0.0.{10 + index}") for index in range(addresses)]
    outcomes: dict = {}
    deadline, sent = time.monotonic() + seconds, 0
    for turn in itertools.count():
        if time.monotonic() > deadline:
            break
        session = sessions[turn % addresses]
        if kind == "signup":
            phone = fresh_number(turn)
            response = signup(session, base, phone)
            if response.status_code == 302:
                registered.append(phone)
        else:
            if not registered:
                break
            phone = registered[turn % len(registered)]
            response = post_solving_human_check(
                session,
                f"{base}/password/forgot",
                {
                    "csrf_token": csrf(session, f"{base}/password/forgot"),
                    "identifier": phone,
                },
            )
        outcomes[response.status_code] = outcomes.get(response.status_code, 0) + 1
        sent += 1
    return sent, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--addresses", type=int, default=10)
    parser.add_argument(
        "--approve-station",
        action="store_true",
        help="approve the attacker's station in the database (a station an admin trusted turns bad)",
    )
    args = parser.parse_args()
    if not re.match(r"^http://(127\.\d+\.\d+\.\d+|localhost)(:\d+)?$", args.base):
        raise SystemExit("only a server on the loopback range may be attacked")
    engine = create_engine(args.database_url)
    registered: list[str] = []
    for name, attack in (
        ("station", lambda: attack_station(args.base, args.seconds, engine, args.approve_station)),
        ("signup", lambda: attack_codes(args.base, args.seconds, args.addresses, "signup", registered)),
        ("reset", lambda: attack_codes(args.base, args.seconds, args.addresses, "reset", registered)),
    ):
        since = datetime.now(UTC)
        started = time.monotonic()
        requests_sent, outcomes = attack()
        elapsed = time.monotonic() - started
        sms = count_sms(engine, since)
        print(
            f"{name:8s} {requests_sent:5d} requests in {elapsed:5.1f}s, statuses {outcomes}: "
            f"{sms} SMS written, {sms * 3600 / elapsed:9.0f} per hour at this pace"
        )


if __name__ == "__main__":
    main()
