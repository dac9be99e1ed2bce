"""/api/docs/ works on a closed network: Swagger UI comes from the project's own static files, no CDN."""

import re

import pytest
from django.core.management import call_command
from django.test import Client

SOURCES = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.fixture
def collected_static(settings, tmp_path):
    """The static files as the image collects them (manifest storage, hashed names), served by WhiteNoise."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)


def test_the_docs_page_loads_swagger_ui_from_local_static_files_only(collected_static, db):
    browser = Client()  # a new client loads WhiteNoise over the collected files
    page = browser.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    urls = SOURCES.findall(html)
    assert any("swagger-ui-bundle" in u for u in urls) and any(u.endswith(".css") for u in urls)
    for url in urls:
        assert url.startswith("/static/"), url
        answer = browser.get(url)
        assert answer.status_code == 200, url
        assert b"".join(answer.streaming_content if answer.streaming else [answer.content])
