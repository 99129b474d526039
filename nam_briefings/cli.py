"""Command-line interface: `flask --app app COMMAND`."""
from flask import Flask


def register(app: Flask) -> None:
    """Attach the commands to the app."""
