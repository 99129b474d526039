"""Thin blueprints: parse the request, call a service, render or redirect."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint (the URL map lives in the blueprints' modules).

    Also installs the app-wide login check, the error pages and the Jinja filters.
    """
    from . import (account, admin, audit, auth, briefings, busy, dashboard, feeds, missions,
                   outbox, portal, rsvp, sessions, states)
    from .errors import register_error_handlers
    from .filters import register_filters
    from .input_guard import init_input_guard

    init_input_guard(app)  # first: the bounded <int:...> converter must exist before any route

    for module in (auth, dashboard, sessions, briefings, states, missions, audit, outbox, rsvp,
                   feeds, portal, busy, admin, account):
        app.register_blueprint(module.bp)
    from . import replies  # answers by e-mail (iMIP REPLY)

    app.register_blueprint(replies.bp)
    from .health import register as register_database_outage  # 503 when the database is down
    register_database_outage(app)
    auth.init_auth(app)
    from .security import init_security  # CSP, no framing, nosniff, no referrer, HSTS
    init_security(app)
    register_error_handlers(app)
    register_filters(app)
