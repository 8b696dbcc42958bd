"""Development conveniences (issue #19): `make run PORT=…` and the emailed links follow the port; `make setup`
says what to run next instead of "ready"; the demo logins come with how to get past two-step sign-in."""

from __future__ import annotations

from cli.serve import served_base_url
from mail.links import external_url


def test_the_served_port_sets_the_base_of_emailed_links_unless_the_deployment_set_one(app, monkeypatch):
    assert served_base_url({}, "127.0.0.1", 8080) == "http://127.0.0.1:8080"
    assert served_base_url({}, "0.0.0.0", 8081) == "http://127.0.0.1:8081"  # a link names an address one can open
    assert served_base_url({"PUBLIC_BASE_URL": "https://loupe.example"}, "127.0.0.1", 8080) is None
    # What `flask serve --port 8080` does to the app's config is what every emailed link is built from.
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", served_base_url({}, "127.0.0.1", 8080))
    with app.app_context():
        assert external_url("auth.login") == "http://127.0.0.1:8080/login"


def test_setup_says_what_to_run_next_and_on_which_port(app, monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    # The message alone: running `setup` here would migrate every store of the shared test database, including
    # the ones other tests leave half-built on purpose.
    from cli.setup import next_step

    said = next_step(port=8080, serving=False, configured_url="http://127.0.0.1:5000")
    assert "nothing is served yet" in said and "`make run`" in said
    assert "http://127.0.0.1:8080" in said
    assert "loupe is ready" not in said.lower()
    serving = next_step(port=8080, serving=True, configured_url="http://127.0.0.1:5000")
    assert "Starting the server at http://127.0.0.1:8080" in serving
