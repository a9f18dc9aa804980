"""A local stand-in for WeChat's API (api.weixin.qq.com) on 127.0.0.1, over real HTTP.

It issues access tokens, accepts template / customer-service / menu calls, records every request,
and fails on demand, so tests and benchmarks exercise wechatpy and our sender for real.
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # thousands of calls in benchmarks
        pass


@dataclass
class Recorded:
    path: str
    query: dict
    body: dict
    at: float = field(default_factory=time.time)


class WeChatApiStandIn:
    """Start with `with WeChatApiStandIn() as api:`; point WECHAT_API_BASE_URL at `api.base_url`."""

    def __init__(self):
        self.requests: list[Recorded] = []
        self.valid_tokens: set[str] = set()
        self._failures: dict[str, deque] = defaultdict(deque)
        self._delays: dict[str, deque] = defaultdict(deque)
        self._token_numbers = itertools.count(1)
        self._msgids = itertools.count(1000)
        self._current: str | None = None
        self._oauth_codes: dict[str, str] = {}
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- control -------------------------------------------------------------------------
    def __enter__(self) -> "WeChatApiStandIn":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._failures.clear()
            self._delays.clear()

    def fail_next(self, endpoint: str, errcode: int, *, times: int = 1, errmsg: str = "injected") -> None:
        """The next `times` calls to an endpoint ("message/template/send") answer errcode."""
        with self._lock:
            self._failures[endpoint].extend([(errcode, errmsg)] * times)

    def http_error_next(self, endpoint: str, status: int = 502, *, times: int = 1) -> None:
        with self._lock:
            self._failures[endpoint].extend([("http", status)] * times)

    def delay_next(self, endpoint: str, seconds: float, *, times: int = 1) -> None:
        with self._lock:
            self._delays[endpoint].extend([seconds] * times)

    def oauth_code_for(self, openid: str) -> str:
        """What WeChat would hand the browser after snsapi_base authorisation of this person (single use)."""
        with self._lock:
            code = f"CODE-{next(self._token_numbers)}"
            self._oauth_codes[code] = openid
            return code

    def expire_tokens(self) -> None:
        """Every token issued so far becomes invalid (the next call gets 40001)."""
        with self._lock:
            self.valid_tokens.clear()

    def calls(self, endpoint: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith(endpoint)]

    def delivered(self, endpoint: str) -> list[Recorded]:
        """Calls that succeeded (not failed by injection), de-duplicated by client_msg_id as WeChat does."""
        seen, result = set(), []
        for call in self.calls(endpoint):
            if not call.body.get("_ok"):
                continue
            key = call.body.get("client_msg_id")
            if key and key in seen:
                continue
            seen.add(key)
            result.append(call)
        return result

    # -- the API -------------------------------------------------------------------------
    def _wsgi(self, environ, start_response):
        request = Request(environ)
        path = request.path
        endpoint = path.split("/cgi-bin/", 1)[-1]
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            body = {"_raw": request.get_data(as_text=True)}
        record = Recorded(path, dict(request.args), body)
        with self._lock:
            self.requests.append(record)
            delay = self._delays[endpoint].popleft() if self._delays[endpoint] else 0
            failure = self._failures[endpoint].popleft() if self._failures[endpoint] else None
        if delay:
            time.sleep(delay)
        response = self._answer(endpoint, request, body, failure)
        if response.get("errcode", 0) == 0 and not isinstance(failure, tuple):
            body["_ok"] = True
        if isinstance(failure, tuple) and failure[0] == "http":
            return Response("bad gateway", status=failure[1])(environ, start_response)
        return Response(json.dumps(response), content_type="application/json")(environ, start_response)

    def _answer(self, endpoint: str, request: Request, body: dict, failure) -> dict:
        if endpoint == "/sns/oauth2/access_token":  # web OAuth: a code for the visitor's openid
            if failure and failure[0] != "http":
                return {"errcode": failure[0], "errmsg": failure[1]}
            with self._lock:
                openid = self._oauth_codes.pop(request.args.get("code", ""), None)
            if openid is None or request.args.get("grant_type") != "authorization_code":
                return {"errcode": 40029, "errmsg": "invalid code"}
            return {"access_token": "OAUTH-TOKEN", "expires_in": 7200, "refresh_token": "R", "openid": openid,
                    "scope": "snsapi_base"}
        if endpoint in ("token", "stable_token"):
            if failure and failure[0] != "http":
                return {"errcode": failure[0], "errmsg": failure[1]}
            with self._lock:
                reuse = endpoint == "stable_token" and not body.get("force_refresh")
                if not (reuse and self._current in self.valid_tokens):
                    self._current = f"TOKEN-{next(self._token_numbers)}"
                    self.valid_tokens.add(self._current)
                return {"access_token": self._current, "expires_in": 7200}
        if failure and failure[0] != "http":
            return {"errcode": failure[0], "errmsg": failure[1]}
        if request.args.get("access_token") not in self.valid_tokens:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if endpoint == "message/template/send":
            return {"errcode": 0, "errmsg": "ok", "msgid": next(self._msgids)}
        return {"errcode": 0, "errmsg": "ok"}
