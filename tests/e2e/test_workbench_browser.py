"""The workbench in a real browser: Debian's chromium driven by Playwright, the app on a real server."""
from __future__ import annotations

import base64
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from bot import links
from tests.support.inspect import all_cases
from tests.support.wechat_actions import report

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
# A 1×1 PNG, as a phone camera would send a (much larger) one.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
WAIT_MS = 15_000


@pytest.fixture
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page():
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, timeout=WAIT_MS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")  # a phone
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.set_default_navigation_timeout(WAIT_MS)
        yield page
        context.close()
        browser.close()


def test_an_engineer_accepts_and_resolves_with_a_photo_in_chromium(page, served, wechat, services, settings):
    report(wechat.as_user("o_resident_wang"), "3号楼2单元501厨房水管漏水")
    token = links.sign(settings.secret_key, "o_xsj_eng1")

    page.goto(f"{served}/w/login?t={token}&next=/w/")
    page.get_by_role("link", name="R20261124-0001").click()
    page.get_by_role("button", name="确认签收").click()
    assert "已签收" in page.get_by_role("status").inner_text()
    assert page.locator(".state").first.inner_text() == "处理中"

    page.locator("details[data-action=resolve] summary").click()
    page.locator("details[data-action=resolve] textarea").fill("已更换阀门，不再漏水")
    page.locator("details[data-action=resolve] input[type=file]").set_input_files(
        {"name": "valve.png", "mimeType": "image/png", "buffer": PNG})
    page.get_by_role("button", name="确认办结").click()

    assert "已办结" in page.get_by_role("status").inner_text()
    assert page.locator("[data-field=result]").inner_text() == "已更换阀门，不再漏水"
    photo = page.locator("img.photo").first
    assert page.evaluate("(img) => img.complete && img.naturalWidth", photo.element_handle()) == 1
    [case] = all_cases(services)
    assert case["state"] == "resolved"


def test_a_grid_worker_calls_the_resident_from_the_case_page_and_staff_read_the_overview(
        page, served, wechat, services, settings):
    report(wechat.as_user("o_resident_wang"), "3号楼2单元501厨房水管漏水")
    wechat.as_user("o_resident_wang").text("13800001234")  # answers 方便的话回复您的手机号
    worker = links.sign(settings.secret_key, "o_xsj_gw1")
    staff = links.sign(settings.secret_key, "o_xsj_staff_chen")

    page.goto(f"{served}/w/login?t={worker}&next=/w/cases/R20261124-0001")
    call = page.locator("[data-fact=联系电话] a")
    assert call.inner_text() == "13800001234" and call.get_attribute("href") == "tel:13800001234"

    page.goto(f"{served}/w/login?t={staff}&next=/w/")
    page.get_by_role("link", name="考核总览").click()
    assert page.locator("header, h1").first.inner_text().startswith("考核总览 · 2026年11月")
    community = page.locator("[data-community=新世纪社区]")
    assert community.locator("[data-figure=reported]").inner_text() == "1 件"
    assert community.locator("[data-grid=xsj-1] td").nth(1).inner_text() == "1"  # open now
