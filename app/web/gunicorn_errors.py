"""The page gunicorn sends for a request it cannot parse, in the site's words and both languages.

A NUL byte or a byte that is not ASCII in the request line or a header (a scanner, a broken client)
is refused by gunicorn before the app sees it, with gunicorn's own bare "Bad Request" page that
quotes the refused line. :func:`install` replaces that page with a short one in English and Chinese
that says what the site's 400 page says and links home. The texts are the catalogue's (msgids of
app/web/errors.py), translated once per process from the compiled translations; the page quotes
nothing the client sent.
"""

from __future__ import annotations

import html
from pathlib import Path

from babel.support import Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
# Msgids shared with app/web/errors.py and templates/errors/error.html.
UNDERSTOOD = "The request could not be understood. Please go back and try again."
NOT_ALLOWED = "You are not allowed to do that."
OUR_SIDE = "Something went wrong on our side. Nothing you saved was lost; please try again."
HOME = "Back to the home page"
_MESSAGES = {403: NOT_ALLOWED, 500: OUR_SIDE}


def error_page(status: int) -> str:
    """The HTML page for ``status``: the English text, then the Chinese."""
    chinese = Translations.load(str(TRANSLATIONS_DIR), ["zh_Hans"])
    message = _MESSAGES.get(status, UNDERSTOOD)
    paragraphs = "\n".join(
        f'<p lang="{lang}">{html.escape(text)}</p>'
        for lang, text in (("en", message), ("zh-Hans", chinese.gettext(message)))
    )
    home = f"{html.escape(HOME)} · {html.escape(chinese.gettext(HOME))}"
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{status} · Jishi 集市</title>\n<link rel="stylesheet" href="/static/css/app.css">\n</head>\n'
        f'<body>\n<main>\n<h1>{status}</h1>\n{paragraphs}\n<p><a href="/">{home}</a></p>\n</main>\n</body>\n</html>\n'
    )


def install() -> None:
    """Make gunicorn (this process and the workers it forks) send :func:`error_page` instead of its
    own page. Called from gunicorn.conf.py."""
    from gunicorn import util

    if getattr(util.write_error, "jishi_page", False):
        return
    pages: dict[int, bytes] = {}

    def write_error(sock, status_int, reason, mesg):  # gunicorn's signature; mesg quotes the request
        page = pages.get(status_int)
        if page is None:
            page = pages[status_int] = error_page(status_int).encode()
        head = (
            f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: text/html; charset=utf-8\r\nContent-Length: {len(page)}\r\n\r\n"
        )
        util.write_nonblock(sock, head.encode("latin-1") + page)

    write_error.jishi_page = True
    util.write_error = write_error
