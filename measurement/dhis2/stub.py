"""A stub DHIS2 server for tests, the benchmark and the demo: a small WSGI app serving
bodies in the shapes the DHIS2 Web API documentation gives (``/api/system/info``,
``/api/me``, paged ``/api/organisationUnits``, ``/api/dataElements`` and
``/api/indicators``, ``/api/analytics`` with ``includeNumDen`` headers and rows, and
``POST /api/dataValueSets`` with ``dryRun`` answering an import summary).

It holds its data in plain dicts the caller fills, and can be told to misbehave: refuse
every credential (401), answer slowly (a timeout), or answer a body that is not JSON.
:func:`serve` runs it in a thread on 127.0.0.1 on a free port; nothing reaches the
internet.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

OK, REFUSE, SLOW, MALFORMED = "ok", "refuse", "slow", "malformed"

_HEADER = {"type": "java.lang.String", "valueType": "TEXT", "hidden": False, "meta": True}
_NUMBER = {"type": "java.lang.Double", "valueType": "NUMBER", "hidden": False, "meta": False}


@dataclass
class StubDhis2:
    token: str = "d2pat_stubtoken0000000000000000000000000"
    username: str = "admin"
    password: str = "district"
    version: str = "2.40.4"
    mode: str = OK
    delay: float = 3.0
    org_units: list[dict[str, str]] = field(default_factory=list)
    data_elements: list[dict[str, str]] = field(default_factory=list)
    indicators: list[dict[str, str]] = field(default_factory=list)
    option_combos: list[dict[str, str]] = field(default_factory=list)
    # (dx, ou, pe, co or "") -> value; (dx, ou, pe) -> (numerator, denominator) for indicators
    values: dict[tuple[str, str, str, str], float] = field(default_factory=dict)
    numden: dict[tuple[str, str, str], tuple[float, float]] = field(default_factory=dict)
    approved: set[tuple[str, str]] | None = None  # (ou, pe) approved; None: no approval
    posted: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)

    # WSGI -------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        self.requests.append((environ.get("REQUEST_METHOD", "GET"), path))
        if self.mode == SLOW:
            time.sleep(self.delay)
        if self.mode == MALFORMED:
            return self._send(start_response, "200 OK", b"<html>Login</html>", "text/html")
        if self.mode == REFUSE or not self._authorised(environ):
            body = {"httpStatus": "Unauthorized", "httpStatusCode": 401, "status": "ERROR"}
            return self._json(start_response, "401 Unauthorized", body)
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "POST" and path == "/api/dataValueSets":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            payload = json.loads(environ["wsgi.input"].read(length) or b"{}")
            return self._json(start_response, "200 OK", self._import(payload, dict(query)))
        routes = {
            "/api/system/info": lambda: {
                "version": self.version,
                "revision": "stub",
                "serverDate": "2024-01-01T00:00:00.000",
                "contextPath": "",
            },
            "/api/me": lambda: {"id": "M5zQapPyTZI", "username": self.username, "name": "Stub"},
            "/api/organisationUnits": lambda: self._page("organisationUnits", query),
            "/api/dataElements": lambda: self._page("dataElements", query),
            "/api/indicators": lambda: self._page("indicators", query),
            "/api/categoryOptionCombos": lambda: self._page("categoryOptionCombos", query),
            "/api/analytics": lambda: self._analytics(query),
        }
        route = routes.get(path)
        if route is None:
            return self._json(start_response, "404 Not Found", {"httpStatusCode": 404})
        return self._json(start_response, "200 OK", route())

    def _authorised(self, environ) -> bool:
        header = environ.get("HTTP_AUTHORIZATION", "")
        if header == f"ApiToken {self.token}":
            return True
        if header.startswith("Basic "):
            expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            return header == f"Basic {expected}"
        return False

    @staticmethod
    def _send(start_response, status: str, body: bytes, kind: str):
        start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body)))])
        return [body]

    def _json(self, start_response, status: str, body: Any):
        return self._send(start_response, status, json.dumps(body).encode(), "application/json")

    # Resources --------------------------------------------------------------------------

    def _page(self, collection: str, query: list[tuple[str, str]]) -> dict[str, Any]:
        """A paged metadata list (``pager`` then the collection), filtered by token."""
        params = dict(query)
        items = {
            "organisationUnits": self.org_units,
            "dataElements": self.data_elements,
            "indicators": self.indicators,
            "categoryOptionCombos": self.option_combos,
        }[collection]
        wanted = params.get("filter", "")
        if wanted.startswith("identifiable:token:"):
            token = wanted.split(":", 2)[2].lower()
            items = [i for i in items if any(token in str(v).lower() for v in i.values())]
        size = int(params.get("pageSize") or 50)
        page = int(params.get("page", 1))
        pages = max(1, -(-len(items) // size))
        chosen = items[(page - 1) * size : page * size]
        return {
            "pager": {"page": page, "pageCount": pages, "total": len(items), "pageSize": size},
            collection: chosen,
        }

    def _analytics(self, query: list[tuple[str, str]]) -> dict[str, Any]:
        dims: dict[str, list[str]] = {}
        for key, value in query:
            if key == "dimension":
                name, _sep, items = value.partition(":")
                dims[name] = items.split(";") if items else []
        params = dict(query)
        with_co = "co" in dims
        with_numden = params.get("includeNumDen") == "true"
        names = ["dx"] + (["co"] if with_co else []) + ["ou", "pe", "value"]
        if with_numden:
            names += ["numerator", "denominator", "factor", "multiplier", "divisor"]
        headers = [
            {"name": n, "column": n, **(_NUMBER if n not in ("dx", "co", "ou", "pe") else _HEADER)}
            for n in names
        ]
        wanted = (set(dims.get("dx", [])), set(dims.get("ou", [])), set(dims.get("pe", [])))
        level = params.get("approvalLevel")
        rows = []
        for (dx, ou, pe, co), figure in sorted(self.values.items()):
            if dx not in wanted[0] or ou not in wanted[1] or pe not in wanted[2]:
                continue
            if bool(co) != with_co:
                continue
            if level and self.approved is not None and (ou, pe) not in self.approved:
                continue
            row = [dx] + ([co] if with_co else []) + [ou, pe, str(figure)]
            if with_numden:
                num, den = self.numden.get((dx, ou, pe), (None, None))
                row += ["" if num is None else str(num), "" if den is None else str(den)]
                row += ["100.0" if num is not None else "", "1", "1"]
            rows.append(row)
        return {
            "headers": headers,
            "metaData": {"items": {}, "dimensions": dims},
            "rows": rows,
            "height": len(rows),
            "width": len(names),
        }

    def _import(self, payload: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        """An import summary as DHIS2 2.38+ answers it (wrapped in a web message)."""
        values = payload.get("dataValues", [])
        known_units = {u["id"] for u in self.org_units} | {u.get("code") for u in self.org_units}
        conflicts = [
            {"object": v.get("orgUnit", ""), "value": "Org unit not found or not accessible"}
            for v in values
            if v.get("orgUnit") not in known_units
        ]
        accepted = len(values) - len(conflicts)
        dry_run = params.get("dryRun") == "true"
        if not dry_run:
            self.posted.append(payload)
        return {
            "httpStatus": "OK",
            "httpStatusCode": 200,
            "status": "OK" if not conflicts else "WARNING",
            "message": "Import was successful.",
            "response": {
                "responseType": "ImportSummary",
                "status": "SUCCESS" if not conflicts else "WARNING",
                "importOptions": {"dryRun": dry_run},
                "importCount": {
                    "imported": accepted,
                    "updated": 0,
                    "ignored": len(conflicts),
                    "deleted": 0,
                },
                "conflicts": conflicts,
            },
        }


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return None


class _Server:
    def __init__(self, app: StubDhis2, port: int = 0) -> None:
        self.app = app
        self.httpd = make_server(
            "127.0.0.1", port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def serve(app: StubDhis2, port: int = 0) -> Iterator[str]:
    """Run ``app`` on 127.0.0.1 (on a free port unless given); yields its base address."""
    server = _Server(app, port)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
