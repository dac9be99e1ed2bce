"""Clinics run closed networks: what the browser loads comes from this server alone (no CDN)."""

import pytest

# Transactional: the server reads the test database in its own processes.
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_from_this_servers_static_files_alone(page, web_server):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/api/docs/")

    page.locator(".swagger-ui .info .title").wait_for()
    assert "Achilles" in page.locator(".swagger-ui .info .title").inner_text()
    assert any("/static/" in url for url in requested), requested
    elsewhere = [url for url in requested if not url.startswith(web_server.url + "/")]
    assert elsewhere == [], elsewhere
