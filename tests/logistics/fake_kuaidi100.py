"""A local stand-in for Kuaidi100 (快递100) on 127.0.0.1, speaking its documented formats: the
subscription form at /poll (schema=json, param=JSON) answered with {result, returnCode, message},
and the real-time query at /poll/query.do, whose sign (upper-case MD5(param + key + customer)) it
checks. It also builds the pushes Kuaidi100 sends to a callback URL, signed with a salt."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


class FakeKuaidi100:
    """Records every request; answers subscriptions with the queued answers (accepted by default)."""

    def __init__(self, key: str, customer: str):
        self.key, self.customer = key, customer
        self.requests: list[dict] = []
        self.subscribe_answers: list[dict] = []
        self.tracks: dict[tuple[str, str], dict] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                form = {name: values[0] for name, values in parse_qs(raw, keep_blank_values=True).items()}
                fake.requests.append(
                    {"path": self.path, "form": form, "content_type": self.headers.get("Content-Type", "")}
                )
                status, answer = fake.answer(self.path, form)
                body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeKuaidi100:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, form: dict) -> tuple[int, dict]:
        if path == "/poll":
            param = json.loads(form["param"])
            if form.get("schema") != "json" or param.get("key") != self.key:
                return 200, {"result": False, "returnCode": "600", "message": "您不是合法的订阅者"}
            if self.subscribe_answers:
                return self.subscribe_answers.pop(0)
            return 200, {"result": True, "returnCode": "200", "message": "提交成功"}
        if path == "/poll/query.do":
            if form.get("customer") != self.customer or form.get("sign") != md5_upper(
                form["param"] + self.key + self.customer
            ):
                return 200, {"result": False, "returnCode": "503", "message": "验证签名失败"}
            param = json.loads(form["param"])
            track = self.tracks.get((param["com"], param["num"]))
            if track is None:
                return 200, {"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"}
            return 200, {"message": "ok", "status": "200", **track}
        return 404, {"result": False, "returnCode": "404", "message": "not found"}

    def subscriptions(self) -> list[dict]:
        """The subscription params received, decoded."""
        return [json.loads(r["form"]["param"]) for r in self.requests if r["path"] == "/poll"]


def point(ftime: str, context: str, status_code: str | None = None, area: str = "") -> dict:
    """One checkpoint as Kuaidi100 writes it (resultv2 adds status, statusCode and areaName)."""
    item = {"context": context, "time": ftime, "ftime": ftime}
    if status_code is not None:
        item.update(status=status_code, statusCode=status_code, areaCode="", areaName=area)
    return item


def push_param(number: str, state: str, points: list[dict], status: str = "polling", company="shunfeng", **extra):
    """The ``param`` of a push: the whole track, newest first, as Kuaidi100 sends it."""
    ordered = sorted(points, key=lambda p: p["ftime"], reverse=True)
    payload = {
        "status": status,
        "billstatus": "",
        "message": extra.pop("message", ""),
        "autoCheck": "0",
        "comOld": "",
        "comNew": extra.pop("comNew", ""),
        "lastResult": {
            "message": "ok",
            "state": state,
            "status": "200",
            "condition": "00",
            "ischeck": "1" if state == "3" else "0",
            "com": company,
            "nu": number,
            "data": ordered,
        },
    }
    payload.update(extra)
    return json.dumps(payload, ensure_ascii=False)


def signed_form(param: str, salt: str) -> dict:
    return {"param": param, "sign": md5_upper(param + salt)}
