"""A minimal OpenID Connect provider for tests: http.server on 127.0.0.1, RS256 ID tokens, one user.

It implements just what the authorisation-code flow needs: ``/authorize`` (answers at once with a code for
the configured user, as if they had signed in and consented), ``/token`` (checks the client, the code, the
redirect URI and the PKCE verifier, and returns an ID token signed with a fresh RSA key), ``/userinfo`` and
``/jwks``. ``claims`` and ``audience`` can be changed by a test to make the provider misbehave.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class LocalOpenIDProvider:
    def __init__(self, *, client_id="aims-test", client_secret="s3cret-for-tests", email="sso.user@example.org"):
        self.client_id = client_id
        self.client_secret = client_secret
        self.claims = {"sub": "user-123", "email": email, "email_verified": True, "preferred_username": "sso.user"}
        self.audience = client_id
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        self.codes: dict[str, dict] = {}
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def provider_fields(self) -> dict:
        """Values for ``accounts.OidcProvider``."""
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
        }

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        payload = {
            **self.claims,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": self.kid})

    def jwks(self) -> dict:
        numbers = self.key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "alg": "RS256",
                    "use": "sig",
                    "kid": self.kid,
                    "n": _b64(numbers.n),
                    "e": _b64(numbers.e),
                }
            ]
        }

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                provider.requests.append(url.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/authorize":
                    if query.get("client_id") != provider.client_id or query.get("response_type") != "code":
                        return self._json(400, {"error": "invalid_request"})
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                elif url.path == "/jwks":
                    self._json(200, provider.jwks())
                elif url.path == "/userinfo":
                    if self.headers.get("Authorization") != "Bearer access-token-for-tests":
                        return self._json(401, {"error": "invalid_token"})
                    self._json(200, provider.claims)
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self):
                provider.requests.append(self.path)
                if self.path != "/token":
                    return self._json(404, {"error": "not_found"})
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                request = provider.codes.pop(form.get("code", ""), None)
                if (
                    request is None
                    or form.get("client_id") != provider.client_id
                    or form.get("client_secret") != provider.client_secret
                    or form.get("redirect_uri") != request["redirect_uri"]
                ):
                    return self._json(400, {"error": "invalid_grant"})
                if "code_challenge" in request:
                    digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                    if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != request["code_challenge"]:
                        return self._json(400, {"error": "invalid_grant", "error_description": "PKCE"})
                self._json(
                    200,
                    {
                        "access_token": "access-token-for-tests",
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(request.get("nonce", "")),
                    },
                )

        return Handler
