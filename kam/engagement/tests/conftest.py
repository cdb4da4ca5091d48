from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def contacts(customers: dict[str, Any]) -> dict[str, Any]:
    from kam.customers.models import Contact

    return {
        "cio": Contact.objects.create(customer=customers["hq"], name="王强", title="CIO", buying_role="decision_maker"),
        "it": Contact.objects.create(customer=customers["branch"], name="李娜", title="IT经理"),
        "other": Contact.objects.create(customer=customers["other"], name="赵六", title="主任"),
    }


@pytest.fixture
def competitors(db: Any) -> dict[str, Any]:
    from kam.engagement.models import Competitor

    return {
        "cmcc": Competitor.objects.create(name="中国移动"),
        "cucc": Competitor.objects.create(name="中国联通"),
        "aliyun": Competitor.objects.create(name="阿里云"),
    }
