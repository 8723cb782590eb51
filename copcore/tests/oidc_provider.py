"""A real OpenID Connect provider on 127.0.0.1 for the sign-in tests (no internet).

A small WSGI app in a thread serves discovery, JWKS, authorize, token and userinfo, and
signs ID tokens (RS256) with a key generated for the test run (joserfc). The test says
who is signed in at the provider (``subject``; None = removed there, so authorize
answers ``access_denied``) and may make the next ID token bad on purpose (``mode``):
expired, unsigned (``alg: none``), signed with another key, for another audience, or
carrying another nonce.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, make_server

from joserfc import jwt
from joserfc.jwk import RSAKey

GOOD, EXPIRED, UNSIGNED, WRONG_KEY, WRONG_AUDIENCE, WRONG_NONCE = (
    "good",
    "expired",
    "unsigned",
    "wrong_key",
    "wrong_audience",
    "wrong_nonce",
)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@dataclass
class LocalProvider:
    client_id: str
    client_secret: str
    subject: dict | None = None
    mode: str = GOOD
    base_url: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    other_key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"})
    )
    codes: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, dict] = field(default_factory=dict)

    @property
    def discovery_url(self) -> str:
        return f"{self.base_url}/.well-known/openid-configuration"

    def id_token(self, claims: dict, nonce: str) -> str:
        now = int(time.time())
        payload = {
            "iss": self.base_url,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **claims,
        }
        if self.mode == EXPIRED:
            payload.update(iat=now - 7200, exp=now - 3600)
        if self.mode == WRONG_AUDIENCE:
            payload["aud"] = "someone-else"
        if self.mode == WRONG_NONCE:
            payload["nonce"] = "not-the-nonce-we-were-given"
        if self.mode == UNSIGNED:
            return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."
        key = self.other_key if self.mode == WRONG_KEY else self.key
        return jwt.encode({"alg": "RS256", "kid": "k1"}, payload, key)

    def __call__(self, environ: dict, start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length).decode()
            query.update({k: v[0] for k, v in parse_qs(body).items()})

        def respond(status: str, data: Any, headers: list | None = None) -> list[bytes]:
            start_response(status, [("Content-Type", "application/json"), *(headers or [])])
            return [json.dumps(data).encode()]

        if path == "/.well-known/openid-configuration":
            return respond(
                "200 OK",
                {
                    "issuer": self.base_url,
                    "authorization_endpoint": f"{self.base_url}/authorize",
                    "token_endpoint": f"{self.base_url}/token",
                    "userinfo_endpoint": f"{self.base_url}/userinfo",
                    "jwks_uri": f"{self.base_url}/jwks",
                    "token_endpoint_auth_methods_supported": ["client_secret_post"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                },
            )
        if path == "/jwks":
            return respond("200 OK", {"keys": [self.key.as_dict(private=False)]})
        if path == "/authorize":
            redirect = query["redirect_uri"]
            if query.get("client_id") != self.client_id:
                return respond("400 Bad Request", {"error": "unauthorized_client"})
            if self.subject is None:
                params = {"error": "access_denied", "state": query.get("state", "")}
            else:
                code = secrets.token_urlsafe(16)
                self.codes[code] = {"nonce": query.get("nonce", ""), "claims": dict(self.subject)}
                params = {"code": code, "state": query.get("state", "")}
            return respond("302 Found", {}, [("Location", f"{redirect}?{urlencode(params)}")])
        if path == "/token":
            grant = self.codes.pop(query.get("code", ""), None)
            if (
                grant is None
                or query.get("client_id") != self.client_id
                or query.get("client_secret") != self.client_secret
            ):
                return respond("400 Bad Request", {"error": "invalid_grant"})
            access = secrets.token_urlsafe(16)
            self.tokens[access] = grant["claims"]
            return respond(
                "200 OK",
                {
                    "access_token": access,
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": self.id_token(grant["claims"], grant["nonce"]),
                },
            )
        if path == "/userinfo":
            token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
            claims = self.tokens.get(token)
            if claims is None:
                return respond("401 Unauthorized", {"error": "invalid_token"})
            return respond("200 OK", claims)
        return respond("404 Not Found", {"error": "not_found"})


class RunningProvider:
    """Starts a :class:`LocalProvider` on 127.0.0.1 (a free port) until ``stop()``."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.app = LocalProvider(client_id=client_id, client_secret=client_secret)
        self.server = make_server("127.0.0.1", 0, self.app, handler_class=_QuietHandler)
        self.app.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
