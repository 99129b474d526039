"""Thin blueprints: parse the request, call a service, render or redirect."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint (the URL map lives in the blueprints' modules)."""
