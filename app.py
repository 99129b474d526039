"""Entry point for `flask --app app ...` and `gunicorn app:app`."""
from nam_briefings import create_app

app = create_app()
