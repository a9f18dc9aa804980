"""H5 pages for workers' phones, reached from pushed links signed for one person."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from bot import links
from bot.access import may_view
from bot.case_views import case_json

bp = Blueprint("web", __name__, template_folder="templates")


def _viewer() -> str:
    services = current_app.extensions["linli"]
    openid = links.verify(services.settings.secret_key, request.args.get("t", ""))
    if openid is None:
        abort(403, description="链接无效或已过期，请从微信消息重新打开。")
    return openid


@bp.get("/w/cases/<case_no>")
def case_page(case_no: str):
    openid = _viewer()
    services = current_app.extensions["linli"]
    with services.uow() as uow:
        case = uow.cases.by_number(case_no)
        if case is None:
            abort(404, description="没有这个工单。")
        if not may_view(case, openid, uow.directory.staff_by_openid(openid)):
            abort(403, description="您没有查看这个工单的权限。")
        return render_template("case.html", case=case_json(case))
