"""The baseline: a bare Flask "hello" route, served by the same gunicorn settings as Jishi.

gunicorn --workers 2 --bind 127.0.0.1:8102 bench.hello:app
"""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello():
    return "hello"
