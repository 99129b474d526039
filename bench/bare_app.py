"""The references of bench/feeds.py: a bare Flask app, served by the same gunicorn setup.

`/` is one route with a small body: what a request costs with nothing but gunicorn and
Flask's own request handling. `/feed.ics` serves precomputed bytes (the file named by
BARE_FEED_FILE, the benchmark's feed): the most a feed of that size can reach here.
"""
import os
from pathlib import Path

from flask import Flask, Response

app = Flask(__name__)
FEED = Path(os.environ["BARE_FEED_FILE"]).read_bytes() if os.environ.get("BARE_FEED_FILE") \
    else b""


@app.route("/")
def hello() -> str:
    """A small fixed body."""
    return "ok\n"


@app.route("/feed.ics")
def feed() -> Response:
    """The benchmark's feed, precomputed."""
    return Response(FEED, mimetype="text/calendar")
