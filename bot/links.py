"""Signed, expiring links to pages, for workers opening pushes and for local use and tests."""
from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

LINK_MAX_AGE_SECONDS = 7 * 24 * 3600


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="linli-link")


def sign(secret_key: str, openid: str) -> str:
    return _serializer(secret_key).dumps({"o": openid})


def verify(secret_key: str, token: str, *, max_age: int = LINK_MAX_AGE_SECONDS) -> str | None:
    """The openid the link was made for, or None when it is forged or expired."""
    try:
        return _serializer(secret_key).loads(token, max_age=max_age)["o"]
    except (BadSignature, SignatureExpired, KeyError, TypeError):
        return None


def case_url(base_url: str, secret_key: str, case_no: str, openid: str) -> str:
    return f"{base_url}/w/cases/{case_no}?t={sign(secret_key, openid)}"


def page_url(base_url: str, secret_key: str, path: str, openid: str) -> str:
    return f"{base_url}{path}?t={sign(secret_key, openid)}"
