"""The reference of `bench/startup.py`: a bare one-route Flask app, so that
`flask --app bench/bare_startup_app.py --help` is what Python, Flask and click cost alone."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    """The one route."""
    return "ok"
