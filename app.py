"""Entry point for `flask --app app ...` and `gunicorn app:app`."""
import gc

from nam_briefings import create_app

app = create_app()
# What start-up made lives as long as the process: keep it out of the garbage collector's
# full passes, which otherwise scan it all and add tens of ms to a request now and then.
gc.freeze()
