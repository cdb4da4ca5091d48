"""``api_detail``: an authenticated API detail endpoint under load, against a bare WSGI app.

Measured: ``GET /api/v1/customers/{id}`` with a bearer token, served by ``kam web`` (granian, WSGI, the
same worker and thread settings as production) on a SQLite database prepared here (migrations, the
demo logins and a few thousand customers with account teams). The caller is the customer's lead account
manager, so the request pays for the token lookup, the permission scope and the schema.

Limit: ``bench/raw_app.py`` under the same granian settings, reading the same row with ``sqlite3`` and
returning the same JSON (checked byte for byte before the load).

Load: ``wrk -t2 -c16`` on 127.0.0.1, the limit and KAM alternately, best run of each; requests/s and p99
latency. Ratio = KAM req/s ÷ limit req/s; target ≥ 0.08.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import Result, WrkRun, bench_env, free_port, server, wait_http, wrk

NAME = "api_detail"
TARGET = 0.08
CUSTOMERS = {"quick": 2000, "full": 5000}


# --- data (runs in a subprocess with Django set up on the scratch database) -----------------------------


def _ensure_regions() -> None:
    """The reference-data migration loads every region; make sure the demo's ones exist regardless."""
    from kam.core.models import Region
    from kam.identity.demo import UNITS

    for unit in UNITS:
        level = 1 if unit.region.endswith("0000") else 2 if unit.region.endswith("00") else 3
        parent = None if level == 1 else unit.region[:2] + "0000" if level == 2 else unit.region[:4] + "00"
        Region.objects.get_or_create(
            code=unit.region, defaults={"name": unit.name, "level": level, "parent_id": parent}
        )


COMPANY_WORDS = (
    "华信", "粤海", "珠江", "南方", "恒达", "金盛", "中科", "新联", "宏图", "安泰", "万通", "瑞丰", "嘉禾",
    "创远", "海纳", "卓越", "天河", "鹏程", "星辰", "华南", "广发", "顺通", "汇金", "智联",
)
COMPANY_TRADES = (
    ("科技", "economic"), ("物流", "economic"), ("制造", "economic"), ("电子", "economic"),
    ("商业银行", "strategic"), ("证券", "strategic"), ("人民医院", "important"), ("教育局", "important"),
    ("投资集团", "group"), ("港务", "group"), ("电力", "strategic"), ("地产", "economic"),
)
GRADES = (("A1", 2), ("A2", 4), ("B1", 10), ("B2", 14), ("C", 40), ("D", 30))
LEVELS = {"A1": "gold", "A2": "gold", "B1": "silver", "B2": "silver", "C": "bronze", "D": "standard"}


def _bulk_customers(count: int) -> None:
    """Customers spread over the Guangdong branches: about a third are group HQs or stand-alone companies,
    each with a lead account manager; the rest are their branches (seen through the group tree)."""
    import random

    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    from kam.customers.models import AccountTeamMember, Customer
    from kam.identity.models import User

    rng = random.Random("bench:customers")
    managers = list(User.objects.filter(role="account_manager").select_related("org_unit").order_by("username"))
    grades = [g for g, _ in GRADES]
    weights = [w for _, w in GRADES]

    def make(i: int, am: Any, parent: Any = None) -> Any:
        unit = am.org_unit
        city = unit.name[:2]
        word = rng.choice(COMPANY_WORDS)
        trade, ctype = rng.choice(COMPANY_TRADES)
        grade = rng.choices(grades, weights)[0]
        name = f"{city}{word}{trade}有限公司{i:05d}"
        if parent is not None:
            name = f"{parent.name}{city}分公司{i:05d}"
        return Customer(
            name=name,
            short_name=f"{word}{trade}",
            customer_type=parent.customer_type if parent is not None else ctype,
            value_grade=grade,
            service_level=LEVELS[grade],
            region_id=unit.region_id,
            address=f"{city}市{word}路{rng.randint(1, 999)}号",
            org_unit=unit,
            owner=am,
            parent=parent,
            depth=1 if parent is not None else 0,
        )

    roots = [make(i, managers[i % len(managers)]) for i in range(count // 3)]
    Customer.objects.bulk_create(roots, batch_size=1000)
    branches = []
    for i in range(len(roots), count):
        # a few large groups (banks, utilities) with many branches, most groups small
        big = rng.random() < 0.3
        index = min(int(rng.paretovariate(1.2)) - 1, len(roots) - 1) if big else rng.randrange(len(roots))
        parent = roots[index]
        branches.append(make(i, rng.choice(managers), parent))
    Customer.objects.bulk_create(branches, batch_size=1000)
    Customer.objects.filter(path="", parent__isnull=True).update(
        path=Concat(Value("/"), Cast("id", CharField()), Value("/"))
    )
    Customer.objects.filter(path="", parent__isnull=False).update(
        path=Concat(Value("/"), Cast("parent_id", CharField()), Value("/"), Cast("id", CharField()), Value("/"))
    )
    AccountTeamMember.objects.bulk_create(
        [AccountTeamMember(customer=c, user=c.owner, role="lead_am", credit_share=100) for c in roots],
        batch_size=1000,
    )


def prepare(quick: bool) -> dict[str, Any]:
    """Migrate the scratch database, load the data, issue a token; returns the spec of the measured call."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.exceptions import FieldDoesNotExist
    from django.core.management import call_command
    from django.test import Client

    from kam.core import demo
    from kam.customers.models import AccountTeamMember, Customer
    from kam.identity.services import issue_token

    call_command("migrate", interactive=False, verbosity=0)
    _ensure_regions()
    ctx = demo.DemoContext(scale="small" if quick else "medium", seed=1, log=lambda _m: None)
    demo.run_all(ctx, {name for name in ("identity", "customers") if name in demo.steps})
    source = "demo"
    wanted = CUSTOMERS["quick" if quick else "full"]
    if Customer.objects.count() < wanted:
        _bulk_customers(wanted - Customer.objects.count())
        source = "demo + bulk" if "customers" in demo.steps else "bulk"
    leads = AccountTeamMember.objects.filter(role="lead_am", user__role="account_manager").order_by("customer_id")
    member = leads[leads.count() // 2]
    user = member.user
    # a branch of the AM's group when there is one: visible through the group tree
    target = Customer.objects.filter(parent_id=member.customer_id).order_by("id").first() or member.customer
    _token, raw = issue_token(user=user, name="bench")
    path = f"/api/v1/customers/{target.pk}"
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
    expected = response.json()
    fields = []
    constants = {}
    for key in expected:
        try:
            field: Any = Customer._meta.get_field(key)
        except FieldDoesNotExist:
            field = None
        if field is None or not getattr(field, "column", None):
            fields.append({"key": key, "column": None, "kind": "constant"})
            constants[key] = expected[key]
            continue
        internal = field.get_internal_type()
        kind = {"DateTimeField": "datetime", "DecimalField": "decimal", "BooleanField": "bool"}.get(internal, "raw")
        places = getattr(field, "decimal_places", None)
        fields.append({"key": key, "column": field.column, "kind": kind, "places": places})
    return {
        "database": str(settings.DATABASES["default"]["NAME"]),
        "table": Customer._meta.db_table,
        "path": path,
        "token": raw,
        "user": user.username,
        "user_customers": AccountTeamMember.objects.filter(user=user).count(),
        "customers": Customer.objects.count(),
        "source": source,
        "fields": fields,
        "constants": constants,
        "expected": response.content.decode(),
    }


# --- the run --------------------------------------------------------------------------------------------


def _best(runs: list[WrkRun]) -> WrkRun:
    return max(runs, key=lambda r: r.requests_per_second)


def run(quick: bool = False, keep: bool = False, log: Any = print) -> Result:
    workdir = Path(tempfile.mkdtemp(prefix="kam-bench-"))
    env = bench_env(workdir)
    errors: list[str] = []
    try:
        log(f"{NAME}: preparing the database in {workdir} …")
        done = subprocess.run(
            [sys.executable, "-m", "bench.api_detail", "prepare", *(["--quick"] if quick else [])],
            env=env, capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"preparing failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        spec = json.loads(done.stdout.strip().splitlines()[-1])
        spec_path = workdir / "spec.json"
        spec_path.write_text(json.dumps(spec))
        env["KAM_BENCH_SPEC"] = str(spec_path)
        kam_port, raw_port = free_port(), free_port()
        headers = {"Authorization": f"Bearer {spec['token']}"}
        kam_argv = [sys.executable, "-m", "kam.cli", "web", "--no-static", "--host", "127.0.0.1"]
        kam_argv += ["--port", str(kam_port)]
        raw_argv = [sys.executable, "-m", "bench.raw_app", "--host", "127.0.0.1", "--port", str(raw_port)]
        with server(kam_argv, env, workdir / "kam-web.log") as kam, server(raw_argv, env, workdir / "raw.log") as raw:
            kam_url = f"http://127.0.0.1:{kam_port}{spec['path']}"
            raw_url = f"http://127.0.0.1:{raw_port}{spec['path']}"
            kam_body = wait_http(kam_url, headers, process=kam)
            raw_body = wait_http(raw_url, headers, process=raw)
            if json.loads(kam_body) != json.loads(raw_body):
                errors.append(f"the limit answers differently: {raw_body[:300]!r} vs {kam_body[:300]!r}")
            same_bytes = kam_body == raw_body
            seconds, rounds, warm = (3, 1, 1) if quick else (10, 2, 3)
            header = [f"Authorization: Bearer {spec['token']}"]
            for url in (raw_url, kam_url):
                wrk(url, seconds=warm, headers=header)
            raw_runs: list[WrkRun] = []
            kam_runs: list[WrkRun] = []
            for _ in range(rounds):
                raw_runs.append(wrk(raw_url, seconds=seconds, headers=header))
                kam_runs.append(wrk(kam_url, seconds=seconds, headers=header))
        for label, runs in (("kam", kam_runs), ("limit", raw_runs)):
            bad = sum(r.non_2xx + r.socket_errors for r in runs)
            if bad:
                errors.append(f"{label}: {bad} failed requests")
        best_kam, best_raw = _best(kam_runs), _best(raw_runs)
        details = {
            "summary": f"p99 {best_kam.p99_ms:.1f} ms vs {best_raw.p99_ms:.1f} ms; {spec['customers']} customers",
            "kam": {"rps": best_kam.requests_per_second, "p50_ms": best_kam.p50_ms, "p99_ms": best_kam.p99_ms},
            "limit": {"rps": best_raw.requests_per_second, "p50_ms": best_raw.p50_ms, "p99_ms": best_raw.p99_ms},
            "rounds": [
                {"kam_rps": k.requests_per_second, "kam_p99_ms": k.p99_ms,
                 "limit_rps": r.requests_per_second, "limit_p99_ms": r.p99_ms}
                for k, r in zip(kam_runs, raw_runs, strict=True)
            ],
            "load": f"wrk -t2 -c16 -d{seconds}s, best of {rounds}",
            "customers": spec["customers"],
            "data": spec["source"],
            "caller": f"{spec['user']} (lead AM of {spec['user_customers']} customers)",
            "path": spec["path"],
            "identical_bytes": same_bytes,
        }
        return Result(
            NAME, "req/s", best_kam.requests_per_second, best_raw.requests_per_second, TARGET, details, errors
        )
    finally:
        if keep:
            log(f"{NAME}: kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["prepare"])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(json.dumps(prepare(args.quick)))


if __name__ == "__main__":
    main()
