"""deploy/nginx/jishi.conf run by a real nginx in front of the app (issue 25): fingerprinted static
files cached for a year, others revalidated, static files compressed by nginx, pages passed on as
the app compressed them. Skipped where Debian's nginx is not installed (`apt-get install nginx
libnginx-mod-http-brotli-filter`); the TLS lines are replaced by plain listeners on free local ports."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import brotli
import pytest
from werkzeug.serving import make_server

PROJECT_DIR = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _site_config(app_port: int, port: int, redirect_port: int) -> str:
    site = (PROJECT_DIR / "deploy" / "nginx" / "jishi.conf").read_text()
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{redirect_port};")
    site = re.sub(r"^\s*ssl_certificate.*\n", "", site, flags=re.MULTILINE)
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    site = site.replace("alias /srv/jishi/static/;", f"alias {PROJECT_DIR / 'static'}/;")
    if BROTLI_MODULE.exists():
        site = re.sub(r"^(\s*)# (brotli\w* )", r"\1\2", site, flags=re.MULTILINE)
    return site


@pytest.fixture
def nginx(app, tmp_path):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port, redirect_port = _free_port(), _free_port()
    (tmp_path / "site.conf").write_text(_site_config(server.server_port, port, redirect_port))
    load = f"load_module {BROTLI_MODULE};\n" if BROTLI_MODULE.exists() else ""
    temp = " ".join(
        f"{kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"{load}pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n {temp}\n include {tmp_path / 'site.conf'};\n}}\n"
    )
    command = [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"]
    checked = subprocess.run([*command[:5], "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stderr=subprocess.PIPE)
    try:
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        server.shutdown()
        server.server_close()


def _get(port: int, path: str, **headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": "jishi.example.cn", **headers})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def _fingerprint(relative: str) -> str:
    return hashlib.sha256((PROJECT_DIR / "static" / relative).read_bytes()).hexdigest()[:12]


def test_nginx_caches_fingerprinted_static_files_for_a_year_and_compresses_them(nginx, db):
    stylesheet = (PROJECT_DIR / "static" / "css" / "app.css").read_bytes()
    url = f"/static/css/app.css?v={_fingerprint('css/app.css')}"
    response, body = _get(nginx, url, **{"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == stylesheet
    if BROTLI_MODULE.exists():
        response, body = _get(nginx, url, **{"Accept-Encoding": "br, gzip"})
        assert response.getheader("Content-Encoding") == "br"
        assert brotli.decompress(body) == stylesheet

    response, _body = _get(nginx, "/static/css/app.css")
    assert response.status == 200
    assert response.getheader("Cache-Control") == "no-cache"


def test_pages_pass_through_nginx_compressed_by_the_app(nginx, db):
    response, body = _get(nginx, "/login", **{"Accept-Encoding": "br, gzip"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "br"
    page = brotli.decompress(body).decode()
    assert f"/static/css/app.css?v={_fingerprint('css/app.css')}" in page
