"""Alipay's split settlement (分账, royalty) behind PaymentProvider's split hooks.

The trade is paid with ``extend_params.royalty_freeze = true`` (ALIPAY_ROYALTY_FREEZE), so the money
stays frozen in the platform's account until it is split:

- receivers are bound once (``alipay.trade.royalty.relation.bind``, 分账关系绑定): :meth:`bind_receiver`;
- ``request_split`` → ``alipay.trade.order.settle`` with ``royalty_parameters`` (``trans_in_type``
  userId/loginName, ``trans_in``, ``amount`` in yuan made from fen) in async mode; the same
  ``out_request_no`` again is answered from ``alipay.trade.order.settle.query`` (idempotent);
- ``query_split`` → ``alipay.trade.order.settle.query``: each receiver SUCCESS / FAIL / PROCESSING;
- ``finish_split`` → ``alipay.trade.order.settle`` with no receivers and
  ``extend_params.royalty_finish = true`` (分账完结): what is left is unfrozen for the platform;
- ``unsettled_minor`` → ``alipay.trade.order.onsettle.query``: what is still frozen;
- ``split_statement`` → ``alipay.data.dataservice.bill.downloadurl.query`` (ALIPAY_SPLIT_BILL_TYPE,
  default ``signcustomer``, the account bill), then the bill itself (a zip of GBK CSV files, or a
  CSV), whose 分账 lines become StatementLines.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal
from urllib.error import URLError
from urllib.request import urlopen

from app.payments.providers.base import (
    CENT,
    ProviderError,
    SplitReceiver,
    SplitReceiverResult,
    SplitResult,
    StatementLine,
    from_minor_units,
    to_minor_units,
)

OK = "10000"
AMOUNT = re.compile(r"^\d{1,9}(\.\d{1,2})?$")
RECEIVER_STATES = {"SUCCESS": "success", "FAIL": "closed", "PROCESSING": "pending"}
MAX_BILL_BYTES = 20 * 1024 * 1024
# The account bill's columns (账务明细): which of them make a StatementLine.
BILL_COLUMNS = {
    "out_request_no": ("商户订单号", "out_request_no"),
    "provider_id": ("业务流水号", "settle_no"),
    "account": ("对方账号", "trans_in"),
    "amount": ("支出金额（-元）", "支出金额(-元)", "amount"),
    "kind": ("业务类型", "type"),
}


class AlipaySplitMixin:
    """The split hooks of AlipayProvider (it supplies ``_call`` and ``config``)."""

    def bind_receiver(self, receiver: SplitReceiver, out_request_no: str) -> None:
        """Bind ``receiver`` as a 分账 receiver of the platform (needed once before splitting to
        it). Raises ProviderError."""
        answer = self._call(
            "alipay.trade.royalty.relation.bind",
            {
                "receiver_list": [
                    {
                        "type": receiver.account_type,
                        "account": receiver.account,
                        "name": receiver.name,
                        "memo": receiver.description,
                    }
                ],
                "out_request_no": out_request_no,
            },
        )
        if answer.get("code") != OK or answer.get("result_code", "SUCCESS") != "SUCCESS":
            raise ProviderError(describe(answer))

    def request_split(self, payment, out_request_no: str, receivers: tuple[SplitReceiver, ...]) -> SplitResult:
        """Bind each receiver (分账关系绑定; binding a bound receiver again succeeds), then settle
        their shares out of the frozen trade, keeping the rest frozen until finish_split. Idempotent
        by ``out_request_no``. Raises ProviderError."""
        if not payment.provider_reference:
            raise ProviderError("no Alipay trade to split yet")
        for receiver in receivers:
            self.bind_receiver(receiver, f"{out_request_no}B")
        parameters = [
            {
                "royalty_type": "transfer",
                "trans_in_type": receiver.account_type,
                "trans_in": receiver.account,
                "amount": str(from_minor_units(receiver.amount_minor)),
                "desc": receiver.description,
                **({"trans_in_name": receiver.name} if receiver.name else {}),
            }
            for receiver in receivers
        ]
        answer = self._settle(payment, out_request_no, parameters, finish=False)
        if answer.get("code") != OK:
            return self._already_requested(payment, out_request_no, answer)
        return SplitResult(
            out_request_no,
            str(answer.get("settle_no") or ""),
            "processing",
            tuple(SplitReceiverResult(r.account, r.amount_minor, "pending") for r in receivers),
        )

    def finish_split(self, payment, out_request_no: str) -> SplitResult:
        """Release what is left of the frozen trade to the platform (a settle with no receivers and
        royalty_finish), under its own request number — Alipay refuses a second settle with the
        split's number as a duplicate. Raises ProviderError."""
        if not payment.provider_reference:
            raise ProviderError("no Alipay trade to finish")
        finish_no = f"{out_request_no}F"
        answer = self._settle(payment, finish_no, [], finish=True)
        if answer.get("code") != OK:
            return self._already_requested(payment, finish_no, answer)
        return SplitResult(finish_no, str(answer.get("settle_no") or ""), "finished", ())

    def query_split(self, payment, out_request_no: str) -> SplitResult:
        answer = self._call(
            "alipay.trade.order.settle.query",
            {"out_request_no": out_request_no, "trade_no": payment.provider_reference},
        )
        if answer.get("code") != OK:
            raise ProviderError(describe(answer))
        receivers = []
        for detail in answer.get("royalty_detail_list") or []:
            if detail.get("operation_type", "transfer") != "transfer":
                continue
            receivers.append(
                SplitReceiverResult(
                    str(detail.get("trans_in") or ""),
                    to_minor_units(parse_yuan(detail.get("amount"))),
                    RECEIVER_STATES.get(str(detail.get("state")), "pending"),
                    str(detail.get("error_desc") or detail.get("error_code") or ""),
                )
            )
        state = "processing" if any(r.state == "pending" for r in receivers) else "finished"
        return SplitResult(
            str(answer.get("out_request_no") or out_request_no),
            str(answer.get("settle_no") or ""),
            state,
            tuple(receivers),
        )

    def unsettled_minor(self, payment) -> int:
        """What of the payment's trade is still frozen for splitting, in fen
        (alipay.trade.order.onsettle.query). Raises ProviderError."""
        answer = self._call("alipay.trade.order.onsettle.query", {"trade_no": payment.provider_reference})
        if answer.get("code") != OK:
            raise ProviderError(describe(answer))
        return to_minor_units(parse_yuan(answer.get("unsettled_amount")))

    def split_statement(self, day) -> list[StatementLine]:
        answer = self._call(
            "alipay.data.dataservice.bill.downloadurl.query",
            {"bill_type": self.config.get("ALIPAY_SPLIT_BILL_TYPE") or "signcustomer", "bill_date": day.isoformat()},
        )
        if answer.get("code") != OK:
            if answer.get("sub_code") in ("isp.bill_not_exist", "BILL_NOT_EXIST"):
                return []
            raise ProviderError(describe(answer))
        url = str(answer.get("bill_download_url") or "")
        # Alipay's bill address is https; a gateway on plain http (a local test gateway) serves its own.
        if not url.startswith("https://") and not str(self.config.get("ALIPAY_GATEWAY_URL") or "").startswith(
            "http://"
        ):
            raise ProviderError("bill_download_url is not an https address")
        try:
            with urlopen(url, timeout=int(self.config.get("ALIPAY_TIMEOUT") or 15)) as response:
                content = response.read(MAX_BILL_BYTES + 1)
        except (URLError, OSError, ValueError) as error:
            raise ProviderError(f"bill download: {error}") from error
        if len(content) > MAX_BILL_BYTES:
            raise ProviderError("bill larger than expected")
        try:
            return _statement_lines(content)
        except (ValueError, KeyError, zipfile.BadZipFile, csv.Error) as error:
            raise ProviderError(f"bill unreadable: {error}") from error

    def _settle(self, payment, out_request_no: str, parameters: list[dict], finish: bool) -> dict:
        return self._call(
            "alipay.trade.order.settle",
            {
                "out_request_no": out_request_no,
                "trade_no": payment.provider_reference,
                "royalty_parameters": parameters,
                "royalty_mode": "async",
                "extend_params": {"royalty_finish": "true" if finish else "false"},
            },
        )

    def _already_requested(self, payment, out_request_no: str, answer: dict) -> SplitResult:
        """A refused settle whose ``out_request_no`` Alipay already has is that earlier request
        (a retry after a timeout): its state. Anything else is a ProviderError."""
        try:
            return self.query_split(payment, out_request_no)
        except ProviderError:
            raise ProviderError(describe(answer)) from None


def describe(answer: dict) -> str:
    """An Alipay answer's codes and message, for logs and ProviderError."""
    return f"{answer.get('code')} {answer.get('sub_code', '')} {answer.get('sub_msg') or answer.get('msg', '')}".strip()


def parse_yuan(text) -> Decimal:
    """An amount Alipay sent ("35.00"), exact; raises ValueError for anything else."""
    text = str(text if text is not None else "").strip()
    if not AMOUNT.match(text):
        raise ValueError(f"not an amount: {text!r}")
    return Decimal(text).quantize(CENT)


def _statement_lines(content: bytes) -> list[StatementLine]:
    """The 分账 lines of a bill: a zip of CSV files (Alipay's form) or one CSV, GBK or UTF-8,
    with ``#`` comment lines around the table."""
    texts = []
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            texts = [_decode(archive.read(name)) for name in archive.namelist() if name.endswith(".csv")]
    else:
        texts = [_decode(content)]
    lines: list[StatementLine] = []
    for text in texts:
        rows = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        reader = csv.DictReader(rows)
        columns = {key: _column(reader.fieldnames or [], names) for key, names in BILL_COLUMNS.items()}
        if columns["out_request_no"] is None or columns["amount"] is None:
            continue
        for row in reader:
            kind = (row.get(columns["kind"]) or "").strip() if columns["kind"] else "分账"
            if "分账" not in kind and kind.lower() not in ("royalty", "transfer"):
                continue
            amount = (row.get(columns["amount"]) or "").strip().lstrip("-")
            if not amount:
                continue
            lines.append(
                StatementLine(
                    (row.get(columns["out_request_no"]) or "").strip(),
                    (row.get(columns["provider_id"]) or "").strip() if columns["provider_id"] else "",
                    (row.get(columns["account"]) or "").strip() if columns["account"] else "",
                    to_minor_units(parse_yuan(amount)),
                    "success",
                )
            )
    return lines


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _column(fieldnames: list[str], names: tuple[str, ...]) -> str | None:
    cleaned = {name.strip(): name for name in fieldnames if name}
    return next((cleaned[name] for name in names if name in cleaned), None)
