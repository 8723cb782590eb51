"""A small client of the DHIS2 Web API (``/api/...``), the connector's one door to a server.

``requests`` with a timeout on every call and urllib3's ``Retry`` (backoff on refused
connections and on 502/503/504 for reads), so a flaky server is tried again and a dead
one answers in bounded time. Every failure becomes a :class:`Dhis2Error` whose ``code``
says which of the documented cases it is (``docs/dhis2.md``): the pages word it from
the code, never from the server's text, and the credential never appears in it (it
travels only in the ``Authorization`` header, never in an address).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

UNREACHABLE = "unreachable"
TIMEOUT = "timeout"
REFUSED = "refused"
FORBIDDEN = "forbidden"
UNEXPECTED = "unexpected"
SERVER_ERROR = "server_error"
REJECTED = "rejected"


def error_message(code: str) -> str:
    """What a page or the API says for each kind of failure (translated)."""
    messages = {
        UNREACHABLE: _(
            "The DHIS2 server could not be reached. Check the address and that the "
            "server is running."
        ),
        TIMEOUT: _("The DHIS2 server did not answer in time. Try again later."),
        REFUSED: _(
            "The DHIS2 server refused the credentials (401). Check the token, or the "
            "user name and password."
        ),
        FORBIDDEN: _("The DHIS2 user is not allowed to read or write these data (403)."),
        UNEXPECTED: _(
            "The address answered, but not as a DHIS2 server does. Check that it is the "
            "server's address (without /api)."
        ),
        SERVER_ERROR: _("The DHIS2 server had an error. Try again later."),
        REJECTED: _("The DHIS2 server refused the request (its import summary says why)."),
    }
    return messages.get(code, messages[UNEXPECTED])


class Dhis2Error(Exception):
    """A failed call; ``code`` is one of the module's constants."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail

    @property
    def message(self) -> str:
        return error_message(self.code)


@dataclasses.dataclass(frozen=True)
class Credentials:
    base_url: str
    auth: str  # "token" or "basic"
    username: str
    secret: str

    def __repr__(self) -> str:  # never print the secret, even in a traceback's locals
        return f"Credentials(base_url={self.base_url!r}, auth={self.auth!r})"


def _retry() -> Retry:
    return Retry(
        total=getattr(settings, "DHIS2_RETRIES", 3),
        connect=getattr(settings, "DHIS2_RETRIES", 3),
        read=False,  # a read timeout is not retried: it is reported at once
        status=getattr(settings, "DHIS2_RETRIES", 3),
        backoff_factor=getattr(settings, "DHIS2_BACKOFF_SECONDS", 0.5),
        status_forcelist=(502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
    )


class Dhis2Client:
    """One server, one credential; ``get``/``post`` return parsed JSON or raise."""

    def __init__(self, credentials: Credentials, *, timeout: float | None = None) -> None:
        self.base = credentials.base_url.rstrip("/")
        self.timeout = timeout or getattr(settings, "DHIS2_TIMEOUT_SECONDS", 20)
        self.session = requests.Session()
        adapter = HTTPAdapter(max_retries=_retry())
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["Accept"] = "application/json"
        if credentials.auth == "basic":
            self.session.auth = (credentials.username, credentials.secret)
        else:
            self.session.headers["Authorization"] = f"ApiToken {credentials.secret}"

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(
                method, f"{self.base}/api/{path}", timeout=self.timeout, **kwargs
            )
        except requests.Timeout as error:
            raise Dhis2Error(TIMEOUT) from error
        except (requests.ConnectionError, requests.exceptions.RetryError) as error:
            raise Dhis2Error(UNREACHABLE) from error
        except requests.RequestException as error:
            raise Dhis2Error(UNREACHABLE) from error
        if response.status_code == 401:
            raise Dhis2Error(REFUSED)
        if response.status_code == 403:
            raise Dhis2Error(FORBIDDEN)
        if response.status_code >= 500:
            raise Dhis2Error(SERVER_ERROR, str(response.status_code))
        return response

    @staticmethod
    def _json(response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError as error:
            raise Dhis2Error(UNEXPECTED, "not JSON") from error

    def get(self, path: str, params: Iterable[tuple[str, str]] | dict[str, Any] = ()) -> Any:
        response = self._send("GET", path, params=params)
        if response.status_code != 200:
            raise Dhis2Error(UNEXPECTED, str(response.status_code))
        return self._json(response)

    def post_json(self, path: str, body: Any, params: dict[str, Any]) -> dict[str, Any]:
        """A write: DHIS2 answers 200, or 409 with an import summary that says why not."""
        response = self._send("POST", path, json=body, params=params)
        if response.status_code not in (200, 201, 409):
            raise Dhis2Error(UNEXPECTED, str(response.status_code))
        answer = self._json(response)
        if not isinstance(answer, dict):
            raise Dhis2Error(UNEXPECTED, "not an object")
        return answer

    # The calls the connector makes -------------------------------------------------

    def system_info(self) -> dict[str, Any]:
        info = self.get("system/info")
        if not isinstance(info, dict) or not isinstance(info.get("version"), str):
            raise Dhis2Error(UNEXPECTED, "system/info without version")
        return info

    def me(self) -> dict[str, Any]:
        me = self.get("me", {"fields": "id,username,displayName,name"})
        if not isinstance(me, dict) or not (me.get("username") or me.get("id")):
            raise Dhis2Error(UNEXPECTED, "me without user")
        return me

    def metadata_page(
        self, collection: str, *, query: str = "", page: int = 1, page_size: int = 50
    ) -> tuple[list[dict[str, str]], int]:
        """One page of organisation units, data elements or indicators (id, code, name),
        searched by name, code or identifier; with the number of pages."""
        params: list[tuple[str, str]] = [
            ("fields", "id,code,displayName"),
            ("page", str(page)),
            ("pageSize", str(page_size)),
            ("order", "displayName:asc"),
        ]
        if query:
            params.append(("filter", f"identifiable:token:{query}"))
        answer = self.get(collection, params)
        items = answer.get(collection) if isinstance(answer, dict) else None
        if not isinstance(items, list):
            raise Dhis2Error(UNEXPECTED, f"{collection} without list")
        pager = answer.get("pager") or {}
        rows = [
            {
                "id": str(item.get("id", "")),
                "code": str(item.get("code") or ""),
                "name": str(item.get("displayName") or item.get("name") or ""),
            }
            for item in items
            if isinstance(item, dict)
        ]
        return rows, int(pager.get("pageCount") or 1)

    def analytics(
        self,
        *,
        items: list[str],
        org_units: list[str],
        periods: list[str],
        with_combos: bool,
        approval_level: str = "",
    ) -> list[dict[str, str]]:
        """Aggregated values, one dict per row keyed by the header names (``dx``,
        ``ou``, ``pe``, ``co``, ``value``, ``numerator``, ``denominator``)."""
        params: list[tuple[str, str]] = [
            ("dimension", "dx:" + ";".join(items)),
            ("dimension", "ou:" + ";".join(org_units)),
            ("dimension", "pe:" + ";".join(periods)),
            ("includeNumDen", "true"),
            ("skipMeta", "true"),
            ("outputIdScheme", "UID"),
        ]
        if with_combos:
            params.append(("dimension", "co"))
        if approval_level:
            params.append(("approvalLevel", approval_level))
        answer = self.get("analytics", params)
        headers = answer.get("headers") if isinstance(answer, dict) else None
        rows = answer.get("rows") if isinstance(answer, dict) else None
        if not isinstance(headers, list) or not isinstance(rows, list):
            raise Dhis2Error(UNEXPECTED, "analytics without headers and rows")
        names = [str(h.get("name", "")) if isinstance(h, dict) else "" for h in headers]
        if not {"dx", "ou", "pe", "value"} <= set(names):
            raise Dhis2Error(UNEXPECTED, "analytics headers")
        result = []
        for row in rows:
            if not isinstance(row, list) or len(row) != len(names):
                raise Dhis2Error(UNEXPECTED, "analytics row")
            result.append({name: str(cell) for name, cell in zip(names, row, strict=True)})
        return result

    def post_data_value_set(self, body: dict[str, Any], *, dry_run: bool) -> dict[str, Any]:
        return self.post_json(
            "dataValueSets",
            body,
            {"dryRun": "true" if dry_run else "false", "importStrategy": "CREATE_AND_UPDATE"},
        )
