"""Several processes share one WeChat access token through Redis (when Redis answers)."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.wechat_client import LinliWeChatClient

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not answering on 127.0.0.1:6379")
    yield client
    client.close()


@pytest.fixture
def appid(redis_client):
    appid = f"wxtest{uuid.uuid4().hex[:10]}"
    yield appid
    for key in redis_client.scan_iter(f"linli:wechat:{appid}*"):
        redis_client.delete(key)


def make_client(appid, redis_client, wechat_api) -> LinliWeChatClient:
    return LinliWeChatClient(appid, "secret", api_base_url=wechat_api.base_url, timeout=3, redis=redis_client)


def test_eight_workers_starting_together_fetch_the_token_once(appid, redis_client, wechat_api):
    wechat_api.reset()
    clients = [make_client(appid, redis_client, wechat_api) for _ in range(8)]

    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(lambda c: c.access_token, clients))

    assert len(set(tokens)) == 1
    assert len(wechat_api.calls("stable_token")) == 1


def test_a_stale_token_is_replaced_once_even_when_several_workers_notice(appid, redis_client, wechat_api):
    wechat_api.reset()
    first, second = make_client(appid, redis_client, wechat_api), make_client(appid, redis_client, wechat_api)
    stale = first.access_token

    renewed_by_first = first.refresh_token(stale=stale)
    renewed_by_second = second.refresh_token(stale=stale)  # sees the new token in Redis: no second fetch

    assert renewed_by_first == renewed_by_second != stale
    assert len(wechat_api.calls("stable_token")) == 2
