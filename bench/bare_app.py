"""The reference of bench/feeds.py: a bare Flask app with one route and a small body.

Served by the same gunicorn setup as the real app (`gunicorn bench.bare_app:app`), it is
what a request costs with nothing but gunicorn and Flask's own request handling.
"""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    """A small fixed body."""
    return "ok\n"
