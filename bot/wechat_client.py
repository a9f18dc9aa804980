"""wechatpy's client, made safe for several processes: base URL, timeouts, one shared token."""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager

from requests.adapters import HTTPAdapter
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.memorystorage import MemoryStorage

log = logging.getLogger(__name__)

TOKEN_ERRORS = (40001, 40014, 42001)  # invalid or expired access token


class LinliWeChatClient(WeChatClient):
    """A WeChatClient whose every call has a timeout, whose token is shared (Redis) and fetched under a
    lock with stable_token, and which never retries on its own (wechatpy's auto-retry has no limit)."""

    def __init__(self, appid: str, secret: str, *, api_base_url: str, timeout: float, redis=None):
        session = MemoryStorage()
        if redis is not None:
            from wechatpy.session.redisstorage import RedisStorage

            session = RedisStorage(redis, prefix="linli:wechat")
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=32)  # the outbox sends concurrently
        self._http.mount("http://", adapter)
        self._http.mount("https://", adapter)
        self.api_base_url = api_base_url.rstrip("/")
        self.API_BASE_URL = f"{self.api_base_url}/cgi-bin/"
        self._redis = redis
        self._local_lock = threading.Lock()

    @property
    def access_token(self) -> str:
        token = self.session.get(self.access_token_key)
        return token or self.refresh_token(stale=None)

    def refresh_token(self, *, stale: str | None) -> str:
        """Fetch a token unless another process already replaced the stale one."""
        with self._token_lock():
            current = self.session.get(self.access_token_key)
            if current and current != stale:
                return current
            self.fetch_access_token(force_refresh=stale is not None)
            return self.session.get(self.access_token_key)

    def fetch_access_token(self, force_refresh: bool = False) -> dict:
        # stable_token hands every caller the same token until it expires, so a refresh in one
        # process does not invalidate the token the others are using.
        response = self._http.post(
            f"{self.api_base_url}/cgi-bin/stable_token",
            json={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
                "force_refresh": force_refresh,
            },
            timeout=self.timeout,
        )
        response.raise_for_status()
        result = response.json()
        if result.get("errcode"):
            raise WeChatClientException(result["errcode"], result.get("errmsg"), client=self)
        expires_in = int(result.get("expires_in", 7200))
        # Keep a margin so a token is never used in its last minutes.
        self.session.set(self.access_token_key, result["access_token"], max(expires_in - 300, 60))
        log.info("wechat.token_fetched expires_in=%s", expires_in)
        return result

    @contextmanager
    def _token_lock(self):
        if self._redis is None:
            with self._local_lock:
                yield
            return
        lock = self._redis.lock("linli:wechat:token-lock", timeout=30, blocking_timeout=self.timeout * 2)
        acquired = lock.acquire()
        try:
            yield
        finally:
            if acquired:
                lock.release()


def oauth_openid(appid: str, secret: str, code: str, *, api_base_url: str, timeout: float) -> str:
    """Exchange a snsapi_base OAuth `code` for the visitor's openid (sns/oauth2/access_token)."""
    from wechatpy.oauth import WeChatOAuth

    class _OAuth(WeChatOAuth):
        API_BASE_URL = f"{api_base_url.rstrip('/')}/"

        def _request(self, method, url_or_endpoint, **kwargs):
            kwargs.setdefault("timeout", timeout)  # wechatpy sets none
            return super()._request(method, url_or_endpoint, **kwargs)

    result = _OAuth(appid, secret, redirect_uri="").fetch_access_token(code)
    return result["openid"]


def oauth_authorize_url(appid: str, redirect_uri: str, state: str) -> str:
    """Where to send a visitor so WeChat tells us who they are (snsapi_base: silent, openid only)."""
    from wechatpy.oauth import WeChatOAuth

    return WeChatOAuth(appid, "", redirect_uri, scope="snsapi_base", state=state).authorize_url
