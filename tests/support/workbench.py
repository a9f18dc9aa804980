"""Drive the H5 workbench through Flask's test client as a signed-in worker."""
from __future__ import annotations

import re

from bot import links

_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


class WorkbenchUser:
    def __init__(self, app, settings, openid: str):
        self.client = app.test_client()
        self.openid = openid
        self.login = self.client.get(f"/w/login?t={links.sign(settings.secret_key, openid)}&next=/w/")

    def page(self, path: str):
        return self.client.get(path)

    def case(self, case_no: str):
        return self.client.get(f"/w/cases/{case_no}")

    def csrf_token(self) -> str:
        return _TOKEN.search(self.page("/w/").get_data(as_text=True)).group(1)

    def act(self, case_no: str, action: str, **form):
        """Open the case page (for the session's CSRF token) and post one action form, as the browser would."""
        page = self.case(case_no).get_data(as_text=True)
        match = _TOKEN.search(page)
        data = {"csrf_token": match.group(1) if match else "", **form}
        return self.client.post(f"/w/cases/{case_no}/{action}", data=data, follow_redirects=True)


def text(response) -> str:
    return response.get_data(as_text=True)
