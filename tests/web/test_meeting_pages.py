"""The meeting workflow in the web, in zh (#16): the organiser sets up slots and tables,
members take part and request meetings, the organiser runs the scheduler, each participant
sees their agenda; CSRF and ownership checked by the service."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_of

ZH = {"accept-language": "zh-CN"}
PASSWORD = "meetings are scheduled by cp-sat"


def _org_id(runtime, name_en: str) -> int:
    from silkhub.hub import organisations as orgs
    from silkhub.hub.policy import Actor

    with runtime.session() as s:
        page = orgs.list_organisations(s, Actor.system(), q=name_en, limit=5)
        return page.items[0].id


def _user(runtime, email: str, org_id: int | None, role: str = "member") -> None:
    from silkhub.hub import accounts
    from silkhub.hub.policy import Actor

    with runtime.session() as s:
        accounts.create_user(s, Actor.system(), email, PASSWORD, role=role, organisation_id=org_id)


def _client(runtime, email: str, password: str = PASSWORD) -> TestClient:
    from silkhub.server import create_app

    c = TestClient(create_app(runtime=runtime, init=False))
    token = csrf_of(c.get("/login").text)
    r = c.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    return c


@pytest.fixture
def people(web):
    from silkhub.demo import load_demo

    list(load_demo(web.runtime))
    rt = web.runtime
    _user(rt, "cosco@example.org", _org_id(rt, "COSCO"))
    _user(rt, "kaz@example.org", _org_id(rt, "Kazakh chamber"))
    return {
        "admin": _client(rt, ADMIN_EMAIL, ADMIN_PASSWORD),
        "cosco": _client(rt, "cosco@example.org"),
        "kaz": _client(rt, "kaz@example.org"),
        "anon": TestClient(web.app),
    }


def _post(c: TestClient, path: str, data: dict, page: str = "/hub/events/1/meetings"):
    token = csrf_of(c.get(page, headers=ZH).text)
    return c.post(path, data={**data, "csrf_token": token}, headers=ZH, follow_redirects=False)


def test_meeting_workflow_in_zh(people):
    admin, cosco, kaz, anon = people["admin"], people["cosco"], people["kaz"], people["anon"]
    base = "/hub/events/1/meetings"
    r = anon.get(base, headers=ZH)
    assert r.status_code == 200 and "洽谈会" in r.text and "登录后即可报名" in r.text
    # the organiser (hub staff) sets up three 30-minute slots and two tables
    r = _post(
        admin,
        base + "/slots",
        {"day": "2020-06-29", "first_start": "14:00", "slot_minutes": "30", "slot_count": "3",
         "tables": "A1，A2"},
    )  # fmt: skip
    assert r.status_code == 303, r.text[:500]
    page = admin.get(r.headers["location"], headers=ZH).text
    assert "时段和洽谈桌已保存。" in page and "3 个时段，2 张洽谈桌" in page
    # the set-up form shows the programme as saved, not the defaults (saving it again must not
    # silently replace the slots)
    form = page.split('data-testid="slots-form"')[1].split("</form>")[0]
    assert 'value="14:00"' in form and 'value="3"' in form and "A1, A2" in form
    assert 'value="09:00"' not in form
    # members take part for their organisation
    r = _post(cosco, base + "/join", {"join_name": "中远海运 王经理"})
    assert r.status_code == 303
    r = _post(kaz, base + "/join", {"join_name": "哈萨克斯坦商会 Aigerim"})
    assert r.status_code == 303
    page = kaz.get(base, headers=ZH).text
    assert "中远海运 王经理" in page and 'data-testid="request-form"' in page
    assert 'data-testid="join-form"' not in page  # once per organisation
    select = page.split('id="f-target_id"')[1].split("</select>")[0]
    target = re.search(r'<option value="(\d+)">中远海运 王经理（中国远洋海运', select).group(1)
    mine = re.search(r'name="requester_id" value="(\d+)"', page).group(1)
    # COSCO's member cannot ask on behalf of the Kazakh chamber's participant (ownership)
    r = _post(cosco, base + "/requests", {"requester_id": mine, "target_id": target})
    assert r.status_code == 403 and "只能以本机构参会方的身份申请会谈" in r.text
    # without a CSRF token nothing happens
    r = kaz.post(base + "/requests", data={"requester_id": mine, "target_id": target})
    assert r.status_code == 403
    r = _post(kaz, base + "/requests", {"requester_id": mine, "target_id": target, "priority": "2"})
    assert r.status_code == 303, r.text[:500]
    page = kaz.get(r.headers["location"], headers=ZH).text
    assert "会谈请求已发送。" in page and "您已申请与 中远海运 王经理 会谈" in page
    assert "尚未排定日程" in page
    # the request cannot be sent twice: the target is no longer offered, a forged one is refused
    r = _post(kaz, base + "/requests", {"requester_id": mine, "target_id": target})
    assert r.status_code == 409 and "您已向 中远海运 王经理 提出过会谈请求。" in r.text
    # only the organiser runs the scheduler
    r = _post(kaz, base + "/schedule", {})
    assert r.status_code == 403
    r = _post(admin, base + "/schedule", {})
    assert r.status_code == 200 and "已排定 1 场会谈；0 条请求未能安排。" in r.text
    # each participant sees their agenda
    page = kaz.get(base, headers=ZH).text
    agenda = page.split('data-testid="agenda"')[1].split("</table>")[0]
    assert "2020年6月29日 14:00–14:30" in agenda and "中远海运 王经理" in agenda
    assert "中国远洋海运集团有限公司" in agenda  # the other side's organisation, in zh
    page = cosco.get(base, headers=ZH).text
    assert "哈萨克斯坦商会 Aigerim" in page.split('data-testid="agenda"')[1]
    assert "哈萨克斯坦商会 Aigerim 申请与您会谈" in page


def test_form_errors_are_on_their_fields(people):
    admin = people["admin"]
    base = "/hub/events/1/meetings"
    r = _post(
        admin, base + "/slots",
        {"day": "2020-06-29", "first_start": "", "slot_minutes": "3", "slot_count": "99",
         "tables": "A1, A1"},
    )  # fmt: skip
    assert r.status_code == 422
    for name in ("first_start", "slot_minutes", "slot_count"):
        assert f'data-testid="error-{name}"' in r.text
    assert "请输入不大于 48 的数值。" in r.text and "此项为必填。" in r.text
    r = _post(
        admin, base + "/slots",
        {"day": "2020-06-29", "first_start": "09:00", "slot_count": "2", "tables": "A1, A1"},
    )  # fmt: skip
    assert r.status_code == 422 and "洽谈桌名称不能重复。" in r.text
    assert 'data-testid="error-tables"' in r.text
    r = _post(admin, base + "/participants", {"p_name": ""})
    assert r.status_code == 422 and 'data-testid="error-p_name"' in r.text
    r = _post(admin, base + "/schedule", {})
    assert r.status_code == 422 and "尚无洽谈安排" in r.text
