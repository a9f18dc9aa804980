"""Staff manage meetings over the JSON API and the CLI; everyone else is refused with a reason."""
from __future__ import annotations

from click.testing import CliRunner

from bot import links
from tests.e2e.test_meeting_reminders import sign_up, wednesday_meeting_id


def bearer(settings, openid: str) -> dict:
    return {"Authorization": f"Bearer {links.sign(settings.secret_key, openid)}"}


def test_community_staff_create_a_meeting_and_see_it_listed(client, settings):
    staff = bearer(settings, "o_xsj_staff_chen")

    created = client.post("/api/meetings", headers=staff, json={
        "community": "xinshiji", "title": "停车位划线议事会", "topic": "3号楼北侧停车", "starts_at": "2026-12-05 09:30",
        "capacity": 20})
    listed = client.get("/api/meetings", headers=staff).get_json()["meetings"]

    assert created.status_code == 201
    meeting = created.get_json()
    assert (meeting["title"], meeting["starts_at"], meeting["place"]) == (
        "停车位划线议事会", "2026-12-05T09:30:00+08:00", "新世纪社区党群服务中心")
    assert meeting["id"] in [m["id"] for m in listed]
    assert all(m["community"] == "xinshiji" for m in listed)


def test_the_api_refuses_without_a_token_non_staff_and_other_communities(client, settings):
    body = {"community": "mingyanquan", "title": "会", "starts_at": "2026-12-05 09:30"}

    assert client.post("/api/meetings", json=body).status_code == 401
    worker = client.post("/api/meetings", headers=bearer(settings, "o_xsj_gw1"), json=body)
    other = client.post("/api/meetings", headers=bearer(settings, "o_xsj_staff_chen"), json=body)
    street = client.post("/api/meetings", headers=bearer(settings, "o_street_zhao"), json=body)

    assert worker.status_code == 403 and "工作人员" in worker.get_json()["error"]
    assert other.status_code == 403 and "本社区" in other.get_json()["error"]
    assert street.status_code == 201


def test_bad_requests_get_a_reason(client, settings):
    staff = bearer(settings, "o_xsj_staff_chen")

    not_json = client.post("/api/meetings", headers=staff, data="hello")
    missing = client.post("/api/meetings", headers=staff, json={"community": "xinshiji"})
    bad_time = client.post("/api/meetings", headers=staff, json={"community": "xinshiji", "title": "会",
                                                                  "starts_at": "下周三"})
    bad_cron = client.post("/api/meeting-series", headers=staff, json={"community": "xinshiji", "title": "会",
                                                                        "key": "x", "cron": "每周三"})

    assert [r.status_code for r in (not_json, missing, bad_time, bad_cron)] == [400, 400, 400, 400]
    assert "缺少字段 title" in missing.get_json()["error"] and "2026-12-02 15:00" in bad_time.get_json()["error"]


def test_moving_a_meeting_over_the_api_tells_who_signed_up(wechat, client, settings, services):
    sign_up(wechat, "o_api_move")
    meeting_id = wednesday_meeting_id(services)

    moved = client.post(f"/api/meetings/{meeting_id}/move", headers=bearer(settings, "o_xsj_staff_chen"),
                        json={"starts_at": "2026-11-26 09:00"})

    assert moved.status_code == 200 and moved.get_json() == {"told": 1}


def test_the_cli_creates_a_recurring_meeting_and_lists_it(services, settings, monkeypatch):
    from bot import cli

    monkeypatch.setenv("LINLI_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LINLI_VAR_DIR", str(settings.root / "var"))
    runner = CliRunner()

    made = runner.invoke(cli.main, ["meetings", "repeat", "--community", "mingyanquan", "--title", "楼长碰头会",
                                    "--key", "myq-fri", "--cron", "30 9 * * fri"])
    listed = runner.invoke(cli.main, ["meetings", "list", "--community", "mingyanquan", "--json"])
    refused = runner.invoke(cli.main, ["meetings", "cancel", "99999"])

    assert made.exit_code == 0, made.output
    assert any(m["title"] == "楼长碰头会" for m in __import__("json").loads(listed.output))
    assert refused.exit_code != 0 and "没有编号为 99999 的议事会" in refused.output
