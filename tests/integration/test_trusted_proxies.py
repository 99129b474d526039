"""Behind a reverse proxy the app sees the client's address only when told to trust it."""
from __future__ import annotations

import pytest

from nam_briefings import create_app
from nam_briefings.extensions import db
from nam_briefings.models import LoginThrottle
from tests.conftest import app_config, csrf_token_from
from tests.integration.web_helpers import HTML

PROXY, CLIENT = "127.0.0.1", "203.0.113.9"


def failed_login_counted_for(trusted: int, database_url: str) -> set[str]:
    """Post one wrong password through a proxy; the throttle's address keys afterwards."""
    app = create_app(app_config(database_url, TRUSTED_PROXIES=trusted))
    with app.app_context():
        client = app.test_client()
        headers = {**HTML, "X-Forwarded-For": CLIENT}
        environ = {"REMOTE_ADDR": PROXY}
        token = csrf_token_from(client.get("/login", headers=headers, environ_base=environ)
                                .get_data(as_text=True))
        client.post("/login", data={"email": "nobody@chair.example.org", "password": "wrong",
                                    "csrf_token": token}, headers=headers, environ_base=environ)
        keys = {row.key for row in db.session.scalars(db.select(LoginThrottle))
                if row.key.startswith("address:")}
        db.session.execute(db.delete(LoginThrottle))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return keys


@pytest.mark.parametrize("trusted, counted", [(0, f"address:{PROXY}"), (1, f"address:{CLIENT}")])
def test_the_login_throttle_counts_the_address_the_proxy_names_only_when_trusted(
        migrated_database_url, trusted, counted):
    assert failed_login_counted_for(trusted, migrated_database_url) == {counted}
