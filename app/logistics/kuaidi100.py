"""Kuaidi100 (快递100), the tracking aggregator: its HTTP API, spoken with ``requests``.

Kuaidi100 has no official Python SDK; its documented interface (api.kuaidi100.com, 企业版) is:

- subscription (订阅): POST form ``schema=json&param=<JSON>`` to ``<base>/poll``; the JSON holds
  ``company``, ``number``, ``key`` and ``parameters`` {``callbackurl``, ``salt``, ``resultv2``,
  ``phone``}. The answer is JSON {``result``, ``returnCode``, ``message``}: 200 accepted, 501 already
  subscribed (fine), 700–703 bad data (never accepted as sent), anything else worth a retry.
- real-time query (实时查询): POST form ``customer``, ``param`` and ``sign`` =
  upper-case MD5(param + key + customer) to ``<base>/poll/query.do``.
- push (推送) to the callback URL: POST form ``param`` (JSON: ``status`` polling/shutdown/abort/
  updateall, ``message``, ``comNew``, ``lastResult`` {``state``, ``ischeck``, ``com``, ``nu``,
  ``data`` [{``context``, ``time``, ``ftime``, ``status``, ``statusCode``, ``areaName`` …}], newest
  first}) and ``sign`` = upper-case MD5(param + salt), the salt given at subscription. The reply
  must be JSON {"result": true, "returnCode": "200", "message": "成功"}; anything else is pushed again.

This module knows the protocol and nothing of the database; app/logistics/tracking.py uses it.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import requests

DEFAULT_BASE_URL = "https://poll.kuaidi100.com"
SUBSCRIBE_PATH = "/poll"
QUERY_PATH = "/poll/query.do"
# Kuaidi100's times are Beijing time without a zone; China keeps no daylight saving.
CHINA_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")
PUSH_STATUSES = frozenset({"polling", "shutdown", "abort", "updateall"})
ACCEPTED_CODES = frozenset({"200", "501"})  # 501: this number is subscribed already
PERMANENT_CODES = frozenset({"700", "701", "702", "703"})  # bad company, number or callback URL
SUCCESS_REPLY = {"result": True, "returnCode": "200", "message": "成功"}
MAX_CHECKPOINTS = 500
COMPANIES_CSV = Path(__file__).parent / "data" / "kuaidi100_companies.csv"

# Kuaidi100's state codes (lastResult.state; with resultv2 each checkpoint's statusCode, whose
# sub-states 101…1003 belong to a family below) → the shipment status they move to, or None for a
# state that moves nothing (a problem, a return, a refusal: a person has to look).
STATE_FAMILIES = {
    "0": "in_transit",  # 在途
    "1": "picked_up",  # 揽收
    "2": None,  # 疑难
    "3": "delivered",  # 签收
    "4": None,  # 退签
    "5": "in_transit",  # 派件
    "6": None,  # 退回
    "7": "in_transit",  # 转投
    "8": "in_transit",  # 清关
    "10": "in_transit",  # 待清关
    "11": "in_transit",  # 清关中
    "12": "in_transit",  # 已清关
    "13": None,  # 清关异常
    "14": None,  # 拒签
}
# Sub-states before the goods were handed over: 101 已下单, 102 待揽收.
NOT_YET_COLLECTED = frozenset({"101", "102"})


class BadPush(ValueError):
    """A push that is not signed right or not in Kuaidi100's format; answered with 400."""


class Kuaidi100Unavailable(RuntimeError):
    """Kuaidi100 could not be reached or answered something that is not its JSON; try again later."""


@dataclass(frozen=True)
class SubscribeAnswer:
    code: str
    message: str

    @property
    def accepted(self) -> bool:
        return self.code in ACCEPTED_CODES

    @property
    def permanent(self) -> bool:
        """True when sending the same subscription again cannot succeed."""
        return self.code in PERMANENT_CODES


@dataclass(frozen=True)
class Checkpoint:
    occurred_at: datetime  # aware, UTC
    context: str
    state: str | None
    area: str

    @property
    def fingerprint(self) -> str:
        """The checkpoint's identity across pushes: its time and its text."""
        text = f"{self.occurred_at.isoformat()}\n{self.context}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Push:
    status: str
    message: str
    company: str
    number: str
    state: str | None
    signed_for: bool
    corrected_company: str
    checkpoints: tuple[Checkpoint, ...]

    @property
    def newest(self) -> Checkpoint | None:
        return max(self.checkpoints, key=lambda c: c.occurred_at, default=None)


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


def sign_push(param: str, salt: str) -> str:
    """The ``sign`` Kuaidi100 sends with a push: upper-case MD5(param + salt)."""
    return md5_upper(param + salt)


def verify_push(param: str | None, sign: str | None, salt: str) -> None:
    """Raise BadPush unless ``sign`` is Kuaidi100's signature of ``param`` with ``salt``."""
    if not param or not sign:
        raise BadPush("missing param or sign")
    if not hmac.compare_digest(sign_push(param, salt).encode(), sign.strip().upper().encode()):
        raise BadPush("sign mismatch")


def derive_salt(secret: str, shipment_id: int) -> str:
    """The salt of one shipment's subscription: HMAC-SHA256(secret, shipment id), 32 hex digits.

    Each subscription sends its salt to Kuaidi100 in clear; a salt per shipment means one that
    leaks lets nobody sign pushes for other shipments, and nothing has to be stored to check it.
    """
    digest = hmac.new(secret.encode("utf-8"), f"kuaidi100-salt:{shipment_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def shipment_status_for(state: str | None) -> str | None:
    """The shipment status a Kuaidi100 state or sub-state code moves to, or None."""
    if not state or state in NOT_YET_COLLECTED:
        return None
    return STATE_FAMILIES.get(state_family(state))


def state_family(state: str) -> str:
    """The main state of a resultv2 sub-state: 1001–1003 are 在途 (0), 301 is 签收 (3), 14 stays 14."""
    if len(state) <= 2:
        return state
    if state.startswith("100"):
        return "0"
    return state[0]


@cache
def companies() -> dict[str, str]:
    """{what a seller may type: Kuaidi100's company code}: Jishi's carrier codes, Kuaidi100's own
    codes and the Chinese names, from data/kuaidi100_companies.csv."""
    table = {}
    with COMPANIES_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["kuaidi100_code"]
            for name in (row["jishi_code"], code, row["name_zh"]):
                table[name.strip().lower()] = code
    return table


def company_code(carrier: str | None) -> str | None:
    """Kuaidi100's company code for a shipment's carrier, or None for a carrier it is not told about."""
    return companies().get((carrier or "").strip().lower())


def parse_push(param: str) -> Push:
    """The push's fields, checked. Raises BadPush for anything that is not Kuaidi100's format."""
    try:
        payload = json.loads(param)
    except ValueError as error:
        raise BadPush("param is not JSON") from error
    if not isinstance(payload, dict):
        raise BadPush("param is not an object")
    status, message = payload.get("status"), payload.get("message") or ""
    if status not in PUSH_STATUSES:
        raise BadPush("bad status")
    result = payload.get("lastResult")
    if not isinstance(result, dict):
        raise BadPush("lastResult missing")
    number, company = result.get("nu"), result.get("com") or ""
    if not isinstance(number, str) or not 0 < len(number.strip()) <= 60:
        raise BadPush("bad nu")
    if not isinstance(company, str) or not isinstance(message, str):
        raise BadPush("bad com or message")
    state = _optional_code(result.get("state"), "state")
    data = result.get("data") or []
    if not isinstance(data, list) or len(data) > MAX_CHECKPOINTS:
        raise BadPush("bad data")
    corrected = payload.get("comNew") or ""
    return Push(
        status=status,
        message=message[:500],
        company=company.strip().lower(),
        number=number.strip(),
        state=state,
        signed_for=str(result.get("ischeck", "0")) == "1",
        corrected_company=corrected.strip().lower() if isinstance(corrected, str) else "",
        checkpoints=tuple(_checkpoint(item) for item in data),
    )


def _checkpoint(item) -> Checkpoint:
    if not isinstance(item, dict):
        raise BadPush("bad checkpoint")
    context, area = item.get("context"), item.get("areaName") or ""
    if not isinstance(context, str) or not context.strip() or not isinstance(area, str):
        raise BadPush("bad checkpoint context")
    moment = _china_time(item.get("ftime") or item.get("time"))
    state = _optional_code(item.get("statusCode"), "statusCode")
    return Checkpoint(occurred_at=moment, context=context.strip()[:2000], state=state, area=area.strip()[:100])


def _china_time(text) -> datetime:
    if not isinstance(text, str):
        raise BadPush("bad checkpoint time")
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text.strip(), pattern).replace(tzinfo=CHINA_TIME).astimezone(UTC)
        except ValueError:
            continue
    raise BadPush("bad checkpoint time")


def _optional_code(value, name: str) -> str | None:
    if value is None or value == "":
        return None
    value = str(value).strip()
    if not value.isdigit() or len(value) > 8:
        raise BadPush(f"bad {name}")
    return value


class Kuaidi100Client:
    """Kuaidi100's subscription and query calls. ``base_url`` is configurable so that tests talk to
    a local fake server; ``key`` and ``customer`` come from the 企业版 account."""

    def __init__(self, key: str, customer: str = "", base_url: str = DEFAULT_BASE_URL, timeout: float = 10):
        self.key, self.customer = key, customer
        self.base_url, self.timeout = base_url.rstrip("/"), timeout
        self.session = requests.Session()

    def subscribe(self, company: str, number: str, callback_url: str, salt: str, phone: str = "") -> SubscribeAnswer:
        """Ask Kuaidi100 to push ``number``'s track to ``callback_url``, signed with ``salt``.
        Returns its answer. Raises Kuaidi100Unavailable when it cannot be reached or answers garbage."""
        parameters = {"callbackurl": callback_url, "salt": salt, "resultv2": "1"}
        if phone:
            parameters["phone"] = phone
        param = _compact({"company": company, "number": number, "key": self.key, "parameters": parameters})
        answer = self._post(SUBSCRIBE_PATH, {"schema": "json", "param": param})
        return SubscribeAnswer(code=str(answer.get("returnCode", "")), message=str(answer.get("message", ""))[:500])

    def query(self, company: str, number: str, phone: str = "") -> dict:
        """The track now (实时查询), as Kuaidi100 returns it ({state, ischeck, com, nu, data, …}).
        Raises Kuaidi100Unavailable when it cannot be reached, answers garbage or refuses."""
        fields = {"com": company, "num": number, "resultv2": "1"}
        if phone:
            fields["phone"] = phone
        param = _compact(fields)
        answer = self._post(
            QUERY_PATH, {"customer": self.customer, "param": param, "sign": md5_upper(param + self.key + self.customer)}
        )
        if answer.get("result") is False or "data" not in answer:
            raise Kuaidi100Unavailable(f"query refused: {answer.get('returnCode')} {answer.get('message')}")
        return answer

    def _post(self, path: str, form: dict) -> dict:
        try:
            response = self.session.post(self.base_url + path, data=form, timeout=self.timeout)
            answer = response.json()
        except (requests.RequestException, ValueError) as error:
            raise Kuaidi100Unavailable(f"{type(error).__name__}: {error}"[:300]) from error
        if not isinstance(answer, dict):
            raise Kuaidi100Unavailable("answer is not a JSON object")
        return answer


def _compact(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
