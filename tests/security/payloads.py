"""The bad-input corpus: at least 500 strings a hostile or confused client might send in a form
field — script injection in every context, SQL, NUL and control characters, right-to-left and
zero-width tricks, huge strings, odd numbers, bad phone numbers, template and format strings — and
broken uploads. XSS payloads all try to open a dialog (alert/confirm/prompt), so a browser that
renders the pages afterwards notices one that survived."""
from __future__ import annotations

import itertools
import zlib
from struct import pack

_XSS_CORES = [
    "<script>alert(1)</script>",
    "<script>alert(String.fromCharCode(88,83,83))</script>",
    "<ScRiPt>confirm(1)</sCrIpT>",
    "<script src=data:text/javascript,alert(1)></script>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=\"alert(1)\">",
    "<img/src/onerror=prompt(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    "<iframe srcdoc=\"<script>alert(1)</script>\">",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<a href=javascript:alert(1)>click</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<form><button formaction=javascript:alert(1)>x</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<style>@import 'javascript:alert(1)';</style>",
    "<div style=\"background:url(javascript:alert(1))\">",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
    "<base href=javascript:alert(1)//>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<table background=javascript:alert(1)>",
    "<template><script>alert(1)</script></template>",
    "<xss onmouseover=alert(1)>hover</xss>",
    "<div onpointerover=alert(1)>x</div>",
    "\"><script>alert(1)</script>",
    "'><script>alert(1)</script>",
    "\" autofocus onfocus=alert(1) x=\"",
    "' autofocus onfocus=alert(1) x='",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "';alert(1);//",
    "\";alert(1);//",
    "\\\";alert(1);//",
    "${alert(1)}",
    "`${alert(1)}`",
    "{{constructor.constructor('alert(1)')()}}",
    "<img src=\"x` `<script>alert(1)</script>\"` `>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "![x](javascript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "<http://x.example/\"onmouseover=\"alert(1)>",
    "[x]( javascript:alert(1) )",
    "[a](https://x.example/\"onclick=\"alert(1))",
    "```html\n<script>alert(1)</script>\n```",
    "> <script>alert(1)</script>",
    "* <img src=x onerror=alert(1)>",
    "<hx-on::load=alert(1)>",
    "<div hx-get=/ hx-trigger=load hx-on::after-request=alert(1)>",
    "<div hx-on:click=\"alert(1)\">x</div>",
    "<div data-hx-on:htmx:load=alert(1)>",
]
# The same attacks wrapped the ways filters get confused.
_XSS_WRAPPERS = [
    "{}",
    "x{}x",
    "玉米{}出售",
    "{}" + "\u200b",
    "\u202e{}",
    "{}\x00",
    "  {}  ",
]

SQL = [
    "' OR '1'='1", "' OR 1=1 --", "\" OR \"\"=\"", "1; DROP TABLE member; --", "'; DROP TABLE posting; --",
    "1' UNION SELECT password_hash FROM member --", "' UNION SELECT NULL,NULL,NULL--", "1 AND SLEEP(5)",
    "1'; SELECT pg_sleep(5); --", "'; WAITFOR DELAY '0:0:5'--", "admin'--", "' OR ''='", "%' AND 1=0 UNION --",
    "\\'; DROP TABLE trade_order; --", "1) OR (1=1", "')) OR (('1'='1", "-1 OR 1=1", "1e1' OR '1",
    "' || (SELECT version()) || '", "'; COPY member TO '/tmp/x'; --", "\" AND \"a\"=\"a", "%00' OR 1=1--",
    "' AND extractvalue(1,concat(0x7e,version()))--", "1 ORDER BY 100--", "' GROUP BY 1 HAVING 1=1--",
    "$1", "?", ":name", "%(name)s", "%s%s%s%s", "' OR x MATCH 'a*' --", "\" NEAR(a b) \"", "a* OR b*",
    "\"unterminated", "NOT", "AND OR NOT", "(((((", ")))", "*", "-", "^", "\"\"", "'", "''", "\\",
]

CONTROL = [
    "\x00", "a\x00b", "\x00" * 64, "\x01\x02\x03\x04\x05\x06\x07\x08", "\x0b\x0c\x0e\x0f", "\x1b[31mred\x1b[0m",
    "\x7f", "\r\n\r\nSet-Cookie: evil=1", "line1\rline2", "\n" * 200, "\t" * 100, "\ud7ff", "\ufeff", "\ufffe",
    "\uffff", "\U0010ffff", "\u0085", "\u2028\u2029", "a\u0000\u0000", "%00", "%0d%0aLocation:%20http://evil",
]

UNICODE = [
    "\u202e" + "gnp.exe", "\u202dabc\u202c", "\u2066x\u2069", "\u200f\u200e", "\u200b\u200b\u200b",
    "\u200d", "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357" * 20, "ÅÍÎÏ˝ÓÔÒÚÆ☃", "👨‍👩‍👧‍👦" * 50, "🌽🌾🍚" * 30,
    "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ", "田中さんにあげて下さい", "사회과학원 어학연구소", "مرحبا بالعالم", "שָׁלוֹם",
    "１２３４５", "１２３．４５", "－５", "玉米　５吨", "ＡＢＣ", "\u3000\u3000", "𠜎𠜱𠝹𠱓", "﷽" * 10,
    "Ⅻ", "½", "٣٤٥", "৩৪৫", "𝟏𝟐𝟑", "a\u0301\u0301\u0301", "İı", "ß", "ﬃ",
]

NUMBERS = [
    "NaN", "nan", "-NaN", "Infinity", "-Infinity", "inf", "1e309", "-1e309", "1e-400", "9" * 400, "-" + "9" * 400,
    "0", "-0", "00000", "-1", "-0.01", "0.0000001", "1.2.3", "1,000", "1 000", "1_000", "0x10", "0b101", "0o17",
    "1e3", "1E+3", "+5", "--5", "5-", ".", ",", "2147483648", "-2147483649", "9223372036854775808", "1/0",
    "3.14159265358979323846264338327950288419716939937510", "1e", "e1", "¥100", "100元", "1.05元/斤", "2,100.50",
    " 5 ", "5t", "5吨", "five", "五", "一千", "0.001", "99999999999999.999", "-999999999", "true", "null", "None",
    "undefined", "[]", "{}", "[1,2]", "{\"a\":1}",
]

PHONES = [
    "+", "++8613800138000", "13800138000", "+86 138 0013 8000", "+8613800138000000000", "+999999999999999",
    "+0", "+1", "+86", "0086-138-0013-8000", "138-0013-8000", "(010) 1234 5678", "+8613800138000;ext=1",
    "+86138001380００", "＋８６１３８００１３８０００", "tel:+8613800138000", "+86abc", "phone", "+8613800138000\x00",
    "+86 13800138000 OR 1=1", "+44 7911 123456", "+1 (555) 010-9999", "911", "110", "+0000000000000",
]

MISC = [
    "", " ", "   ", "a", "x" * 255, "x" * 256, "x" * 5000, "长" * 5000, "{{7*7}}", "{% raw %}", "${7*7}", "#{7*7}",
    "<%= 7*7 %>", "{{config}}", "{{ self.__init__.__globals__ }}", "%n%n%n%n", "{0}{1}{2}", "%(password)s",
    "../../../../etc/passwd", "..\\..\\..\\windows\\win.ini", "/etc/passwd\x00.jpg", "file:///etc/passwd",
    "http://169.254.169.254/latest/meta-data/", "//evil.example", "https://evil.example/@jishi",
    "mailto:a@b.c?body=x", "@evil", "a@b", "a@b.c" * 60, "\"a\"@b.c", "test@example.com\r\nBcc: x@y.z",
    "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>",
    "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://evil\",\"x\")", "+SUM(1,1)", "-2+3", "@SUM(A1)",
    "YES 1", "STOP", "退订", "SELL maize 5t 2100", "$(reboot)", "`id`", "; ls -la", "| cat /etc/passwd",
    "true", "false", "on", "off", "sell", "buy", "admin", "0" * 100,
]

HUGE = ["A" * 100_000, "玉" * 50_000, "<b>" * 20_000, "\x00" * 10_000, "9" * 50_000]


def _xss() -> list[str]:
    return [wrapper.format(core) for core, wrapper in itertools.product(_XSS_CORES, _XSS_WRAPPERS)
            if wrapper == "{}" or len(core) < 60]


def corpus() -> list[str]:
    """Every payload once, in a fixed order (XSS first); at least 500."""
    seen: dict[str, None] = {}
    for payload in [*_xss(), *SQL, *CONTROL, *UNICODE, *NUMBERS, *PHONES, *MISC, *HUGE]:
        seen.setdefault(payload)
    return list(seen)


def xss_payloads() -> list[str]:
    return [p for p in corpus() if any(word in p.lower() for word in ("alert", "confirm(", "prompt("))]


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b"")


BROKEN_UPLOADS: list[tuple[str, bytes, str]] = [
    ("empty.jpg", b"", "image/jpeg"),
    ("truncated.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    ("text.jpg", b"just some text, not an image", "image/jpeg"),
    ("script.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image/svg+xml"),
    ("page.html", b"<script>alert(1)</script>", "text/html"),
    ("bomb.png", _png(60000, 60000), "image/png"),  # claims 3.6 gigapixels
    ("broken.png", _png(10, 10)[:40], "image/png"),
    ("../../evil.jpg", b"\xff\xd8\xff\xdb" + b"\x00" * 100, "image/jpeg"),
    ("nul\x00name.jpg", b"\xff\xd8\xff", "image/jpeg"),
    ("gif.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
    ("doc.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "application/pdf"),
    ("exe.jpg", b"MZ\x90\x00" + b"\x00" * 60, "image/jpeg"),
]
