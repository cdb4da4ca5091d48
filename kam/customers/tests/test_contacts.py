"""Contacts: the attitude scale, current attitude, notifications, the decision tree, search, org chart."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from kam.core.errors import ValidationFailed
from kam.core.models import Notification
from kam.core.registry import registry
from kam.customers.contacts import services
from kam.customers.contacts.choices import Attitude, BuyingRole
from kam.customers.contacts.queries import hostile_decision_makers, org_chart
from kam.customers.contacts.testing import make_contacts
from kam.customers.models import AttitudeAssessment, Contact

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def contacts(customers: dict[str, Any], users: dict[str, Any]) -> dict[str, Contact]:
    return make_contacts(customers)


def test_attitude_scale_values_and_labels() -> None:
    assert [int(v) for v in Attitude.values] == [5, 4, 3, 2, 1, -1, -2, -3, -5, -10]
    with translation.override("zh-hans"):
        assert [str(label) for label in Attitude.labels] == [
            "全力支持",
            "热心提倡",
            "支持",
            "有兴趣",
            "可继续",
            "不反对",
            "没兴趣",
            "反对",
            "强烈反对",
            "倾向竞争对手",
        ]
    with translation.override("zh-hans"):
        assert str(BuyingRole.COACH.label) == "线人"
        assert str(BuyingRole.DECISION_MAKER.label) == "决策者"


@pytest.mark.django_db
def test_current_attitude_is_the_latest_by_time(contacts: dict[str, Contact], users: dict[str, Any]) -> None:
    cio, am = contacts["cio"], users["am"]
    now = timezone.now()
    services.assess_attitude(contact=cio, score=3, evidence="visit", actor=am, assessed_at=now - timedelta(days=10))
    services.assess_attitude(contact=cio, score=-2, evidence="call", actor=am, assessed_at=now - timedelta(days=2))
    # a back-dated assessment goes into the history but is not the current attitude
    services.assess_attitude(contact=cio, score=5, evidence="old note", actor=am, assessed_at=now - timedelta(days=30))
    cio.refresh_from_db()
    assert cio.current_attitude == -2
    assert cio.current_attitude_at == now - timedelta(days=2)
    assert list(AttitudeAssessment.objects.filter(contact=cio).values_list("score", flat=True)) == [-2, 3, 5]
    assessment = AttitudeAssessment.objects.filter(contact=cio).first()
    assert assessment is not None and assessment.assessed_by == am and assessment.source == "other"


@pytest.mark.django_db
def test_scores_off_the_scale_are_rejected(contacts: dict[str, Contact], users: dict[str, Any]) -> None:
    for score in (0, 6, -4, -11):
        with pytest.raises(ValidationFailed) as info:
            services.assess_attitude(contact=contacts["cio"], score=score, evidence="", actor=users["am"])
        assert list(info.value.fields) == ["score"]
    with pytest.raises(ValidationFailed) as info:
        services.assess_attitude(
            contact=contacts["cio"],
            score=1,
            evidence="",
            actor=users["am"],
            assessed_at=timezone.now() + timedelta(days=1),
        )
    assert list(info.value.fields) == ["assessed_at"]
    assert AttitudeAssessment.objects.count() == 0
    contacts["cio"].refresh_from_db()
    assert contacts["cio"].current_attitude is None


def _notes(kind: str) -> list[tuple[str, str]]:
    return sorted(
        (n.recipient.username, n.url) for n in Notification.objects.filter(kind=kind).select_related("recipient")
    )


@pytest.mark.django_db
def test_hostile_decision_maker_notifies_team_once_per_day(
    contacts: dict[str, Contact], users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    cio, am = contacts["cio"], users["am"]
    am.language = "en"
    am.save(update_fields=["language"])
    day1 = datetime(2026, 11, 2, 10, 0, tzinfo=TZ)
    monkeypatch.setattr(timezone, "now", lambda: day1)
    services.assess_attitude(contact=cio, score=-2, evidence="cool", actor=am)
    assert _notes(services.KIND_HOSTILE) == []
    services.assess_attitude(contact=cio, score=-3, evidence="prefers rival", actor=am)
    services.assess_attitude(contact=cio, score=-10, evidence="signed with rival", actor=am)
    url = f"/contacts/{cio.pk}/"
    # the HQ's account team: the lead AM and the solution engineer, once each
    assert _notes(services.KIND_HOSTILE) == [("am", url), ("engineer", url)]
    # each member reads it in their own language (the engineer has none set: the site's Chinese)
    titles = dict(Notification.objects.filter(kind=services.KIND_HOSTILE).values_list("recipient__username", "title"))
    assert titles == {
        "am": "Decision maker 李娜 at 示例集团 is hostile (-3)",
        "engineer": "示例集团 的决策者 李娜 态度敌对（-3）",
    }
    # a hostile contact who is not a decision maker raises nothing
    services.assess_attitude(contact=contacts["engineer"], score=-5, evidence="", actor=am)
    assert len(_notes(services.KIND_HOSTILE)) == 2
    # the next day, the same contact notifies again, once
    monkeypatch.setattr(timezone, "now", lambda: day1 + timedelta(days=1, hours=2))
    services.assess_attitude(contact=cio, score=-5, evidence="", actor=am)
    services.assess_attitude(contact=cio, score=-5, evidence="", actor=am)
    assert len(_notes(services.KIND_HOSTILE)) == 4
    # a branch contact's team is the HQ team too (the team of the group above)
    monkeypatch.setattr(timezone, "now", lambda: day1 + timedelta(days=1, hours=3))
    services.update_contact(contact=contacts["branch_head"], actor=am, buying_role=BuyingRole.DECISION_MAKER)
    services.assess_attitude(contact=contacts["branch_head"], score=-3, evidence="", actor=am)
    assert len(_notes(services.KIND_HOSTILE)) == 6


@pytest.mark.django_db
def test_key_person_leaving_notifies_team_once(
    contacts: dict[str, Contact], users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    it_head, am = contacts["it_head"], users["am"]
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 11, 2, 10, 0, tzinfo=TZ))
    services.record_departure(contact=it_head, actor=am, left_at=date(2026, 10, 31))
    services.record_departure(contact=it_head, actor=am, left_at=date(2026, 10, 31))
    services.update_contact(contact=it_head, actor=am, title="前信息中心主任")
    url = f"/contacts/{it_head.pk}/"
    assert _notes(services.KIND_LEFT) == [("am", url), ("engineer", url)]
    it_head.refresh_from_db()
    assert (it_head.left_company, it_head.left_at) == (True, date(2026, 10, 31))
    # not a key person: nothing
    services.record_departure(contact=contacts["engineer"], actor=am)
    assert len(_notes(services.KIND_LEFT)) == 2
    # leaving through an edit notifies too; the other customer's team is someone else
    services.update_contact(contact=contacts["other_gm"], actor=users["am_other"], left_company=True)
    assert [n for n in _notes(services.KIND_LEFT) if n[0] == "am_other"] == [
        ("am_other", f"/contacts/{contacts['other_gm'].pk}/")
    ]
    with pytest.raises(ValidationFailed):
        services.record_departure(contact=contacts["buyer"], actor=am, left_at=date(2027, 1, 1))


@pytest.mark.django_db
def test_reports_to_cycles_and_foreign_managers_rejected(contacts: dict[str, Contact], users: dict[str, Any]) -> None:
    gm, engineer, am = contacts["gm"], contacts["engineer"], users["am"]
    with pytest.raises(ValidationFailed) as info:
        services.set_reports_to(contact=gm, reports_to=engineer, actor=am)
    assert info.value.fields == {
        "reports_to": ["刘洋 already reports, directly or indirectly, to 张伟: that would be a cycle."]
    }
    with pytest.raises(ValidationFailed) as info:
        services.set_reports_to(contact=gm, reports_to=gm, actor=am)
    assert info.value.fields == {"reports_to": ["A contact cannot report to themselves."]}
    with pytest.raises(ValidationFailed) as info:
        services.set_reports_to(contact=engineer, reports_to=contacts["other_gm"], actor=am)
    assert info.value.fields == {"reports_to": ["The manager must work for the same customer group."]}
    with pytest.raises(ValidationFailed):
        services.update_contact(contact=contacts["cio"], actor=am, reports_to=engineer)
    gm.refresh_from_db()
    assert gm.reports_to_id is None
    assert Contact.objects.get(pk=contacts["cio"].pk).reports_to_id == gm.pk
    # within the group (branch → HQ) and back to the top is fine
    services.set_reports_to(contact=engineer, reports_to=contacts["branch_head"], actor=am)
    assert Contact.objects.get(pk=engineer.pk).reports_to_id == contacts["branch_head"].pk
    services.set_reports_to(contact=engineer, reports_to=None, actor=am)
    assert Contact.objects.get(pk=engineer.pk).reports_to_id is None


@pytest.mark.django_db
def test_delete_moves_reports_up(contacts: dict[str, Contact], users: dict[str, Any]) -> None:
    services.delete_contact(contact=contacts["it_head"], actor=users["am"])
    assert Contact.objects.get(pk=contacts["engineer"].pk).reports_to_id == contacts["cio"].pk
    assert not Contact.objects.filter(pk=contacts["it_head"].pk).exists()


@pytest.mark.django_db
def test_search_text_and_search_provider(contacts: dict[str, Contact], users: dict[str, Any]) -> None:
    gm = Contact.objects.get(pk=contacts["gm"].pk)
    assert gm.search_text == "张伟 zhangwei zw 13800138000"
    provider = next(p for p in registry.search if p.key == "contacts")
    for query in ("zw", "ZhangWei", "张伟", "138 0013 8000", "13800138000"):
        assert [h.title for h in provider.search(users["am"], query, 8)] == ["张伟"], query
    assert [h.title for h in provider.search(users["am"], "87654321", 8)] == ["王强"]
    (hit,) = provider.search(users["am"], "zw", 8)
    assert hit.url == f"/contacts/{gm.pk}/" and hit.subtitle == "总经理 · 示例集团 · 13800138000"
    # scoped: the Changsha AM finds only their own customer's people
    assert [h.title for h in provider.search(users["am_other"], "zj", 8)] == ["周杰"]
    assert list(provider.search(users["am_other"], "zw", 8)) == []
    services.update_contact(contact=gm, actor=users["am"], mobile="13600001111")
    assert [h.title for h in provider.search(users["am"], "13600001111", 8)] == ["张伟"]


@pytest.mark.django_db
def test_org_chart_shape(contacts: dict[str, Contact], users: dict[str, Any], customers: dict[str, Any]) -> None:
    services.assess_attitude(contact=contacts["cio"], score=-3, evidence="", actor=users["am"])
    services.record_departure(contact=contacts["engineer"], actor=users["am"])
    chart = org_chart(customers["hq"], users["am"])
    assert (chart["customer_id"], chart["customer_name"], chart["editable"], chart["count"]) == (
        customers["hq"].pk,
        "广州示例集团有限公司",
        True,
        5,
    )
    assert [(i["score"], i["colour"]) for i in chart["legend"]][:3] == [(5, "#1a7f37"), (4, "#2da44e"), (3, "#4ac26b")]
    assert chart["legend"][-1] == {"score": None, "label": "Not assessed", "colour": "#bfbfbf"}
    assert [r["value"] for r in chart["buying_roles"]] == [
        "decision_maker",
        "approver",
        "technical_evaluator",
        "procurement",
        "user",
        "influencer",
        "coach",
    ]

    def shape(node: dict[str, Any]) -> Any:
        return (
            node["name"],
            node["attitude"],
            node["colour"],
            node["key_person"],
            node["left_company"],
            [shape(c) for c in node["children"]],
        )

    assert [shape(r) for r in chart["roots"]] == [
        (
            "张伟",
            None,
            "#bfbfbf",
            True,
            False,
            [
                (
                    "李娜",
                    -3,
                    "#e5534b",
                    False,
                    False,
                    [
                        ("王强", None, "#bfbfbf", True, False, [("刘洋", None, "#eeeeee", False, True, [])]),
                    ],
                ),
                ("陈静", None, "#bfbfbf", False, False, []),
            ],
        ),
    ]
    cio = chart["roots"][0]["children"][0]
    assert {k: v for k, v in cio.items() if k != "children"} == {
        "id": contacts["cio"].pk,
        "name": "李娜",
        "title": "分管信息化副总",
        "department": "",
        "customer_id": customers["hq"].pk,
        "buying_role": "decision_maker",
        "buying_role_label": "Decision maker",
        "key_person": False,
        "left_company": False,
        "attitude": -3,
        "attitude_label": "Opposed",
        "colour": "#e5534b",
        "reports_to_id": contacts["gm"].pk,
        "url": f"/contacts/{contacts['cio'].pk}/",
    }
    # the branch chart: its head reports into the HQ, so is a root here
    branch = org_chart(customers["branch"], users["am"])
    assert [(r["name"], r["reports_to_id"]) for r in branch["roots"]] == [("赵磊", contacts["gm"].pk)]
    # customer users see the tree without attitudes and may not edit it
    portal = org_chart(customers["hq"], users["customer"])
    assert portal["legend"] == [] and portal["editable"] is False
    assert portal["roots"][0]["children"][0]["attitude"] is None
    assert portal["roots"][0]["children"][0]["colour"] == "#bfbfbf"


@pytest.mark.django_db
def test_hostile_decision_makers_scoped(contacts: dict[str, Contact], users: dict[str, Any]) -> None:
    services.assess_attitude(contact=contacts["cio"], score=-5, evidence="", actor=users["am"])
    services.assess_attitude(contact=contacts["gm"], score=3, evidence="", actor=users["am"])
    services.assess_attitude(contact=contacts["other_gm"], score=-10, evidence="", actor=users["am_other"])
    services.assess_attitude(contact=contacts["it_head"], score=-10, evidence="", actor=users["am"])  # not a DM
    names = {role: [c.name for c in hostile_decision_makers(u)] for role, u in users.items()}
    assert names["director"] == ["李娜"]
    assert names["director_hn"] == ["周杰"]
    assert names["am"] == ["李娜"]
    assert names["admin"] == ["周杰", "李娜"]
    assert names["customer"] == []
