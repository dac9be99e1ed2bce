"""Access logs that name the path and never the query string.

A clinician's dashboard search (`/api/v1/patients/?search=Ruth`) puts a patient's name in the query
string, and access logs are kept longer and read by more people than the database. So the request
line, the referer and a redirect's Location are logged without their query, by gunicorn (the shipped
server: `--logger-class config.access_log.GunicornLogger`) and by the development server
(LOGGING's filter on `django.server`).
"""

import logging
import re

from gunicorn.glogging import Logger

# Atoms of gunicorn's access log format that can hold a URL with its query.
_URL_HEADERS = ("{referer}i", "{location}o", "{raw_uri}e", "{http_referer}e", "{request_uri}e")


def without_query(url: str) -> str:
    """`url` up to its query string or fragment: `/patients/?search=Ruth` is `/patients/`."""
    return re.split(r"[?#]", url, maxsplit=1)[0]


def _request_line_without_query(line: str) -> str:
    """`GET /patients/?search=Ruth HTTP/1.1` as `GET /patients/ HTTP/1.1`."""
    method, sep, rest = line.partition(" ")
    if not sep:
        return without_query(line)
    target, sep, version = rest.rpartition(" ")
    if not sep:
        return f"{method} {without_query(rest)}"
    return f"{method} {without_query(target)} {version}"


class GunicornLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = _request_line_without_query(atoms["r"])
        atoms["q"] = "-"
        atoms["{query_string}e"] = "-"
        if atoms.get("f") not in (None, "-"):
            atoms["f"] = without_query(atoms["f"])
        for key in _URL_HEADERS:
            if isinstance(atoms.get(key), str):
                atoms[key] = without_query(atoms[key])
        return atoms

    def exception(self, msg, *args, **kwargs):
        # The worker logs a request it could not handle as "Error handling request <uri>".
        args = tuple(without_query(a) if isinstance(a, str) and a.startswith("/") else a for a in args)
        super().exception(msg, *args, **kwargs)


class RunserverQueryFilter(logging.Filter):
    """`manage.py runserver` logs each request line (its first argument) on `django.server`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (_request_line_without_query(record.args[0]), *record.args[1:])
        return True
