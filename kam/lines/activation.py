"""Activation tests: real checks of a line before it is handed over.

Checks, each stored as ``{"passed": bool, "detail": str, "value": ...}`` under its key in
``ActivationTest.results``:

- ``oper_status_<end>_<role>``: SNMP ifOperStatus of every endpoint's interface is up(1);
- ``reachability``: the line's test address answers ICMP echo (``ping -c 3 -W 1``) or, where ping is not
  installed or ``KAM_ACTIVATION_PROBE=tcp``, a TCP connection to ``KAM_ACTIVATION_TCP_PORT`` (default 80;
  a refused connection also proves the address answers);
- ``rtt``: the average round-trip time in milliseconds, at most ``KAM_ACTIVATION_MAX_RTT_MS`` (default 100).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.errors import Forbidden
from kam.core.permissions import CHANGE, is_admin_user
from kam.lines import snmp
from kam.lines.choices import IF_STATUS_BY_CODE
from kam.lines.discovery import target_for
from kam.lines.models import ActivationTest, Line, LineEndpoint

_RTT = re.compile(r"=\s*[\d.]+/([\d.]+)/[\d.]+")


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, None) or os.environ.get(name) or default


def can_run(user: Any, line: Line) -> bool:
    if user is None or is_admin_user(user):
        return True
    if Line.objects.restrict(user, CHANGE).filter(pk=line.pk).exists():
        return True
    return (
        getattr(user, "role", None) in ("noc", "engineer") and Line.objects.visible_to(user).filter(pk=line.pk).exists()
    )


def check_endpoint(endpoint: LineEndpoint) -> dict[str, Any]:
    interface = endpoint.interface
    if interface is None:
        return {"passed": False, "detail": _("No port is bound to this end."), "value": None}
    device = interface.device
    label = f"{device.name} {interface.if_name or interface.if_index}"
    try:
        status = snmp.run(snmp.oper_status(target_for(device), [interface.if_index]))[interface.if_index]
    except Exception as exc:
        return {
            "passed": False,
            "detail": _("%(port)s: no SNMP answer (%(error)s).") % {"port": label, "error": str(exc)[:200]},
            "value": None,
        }
    name = str(IF_STATUS_BY_CODE.get(status, "unknown")) if status is not None else None
    if status == 1:
        return {"passed": True, "detail": _("%(port)s is up.") % {"port": label}, "value": name}
    return {
        "passed": False,
        "detail": _("%(port)s is not up (ifOperStatus %(status)s).") % {"port": label, "status": status},
        "value": name,
    }


def _ping(address: str) -> tuple[bool, float | None, str]:
    binary = shutil.which("ping")
    assert binary
    try:
        proc = subprocess.run(
            [binary, "-c", "3", "-W", "1", address], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, None, str(exc)
    match = _RTT.search(proc.stdout)
    rtt = float(match.group(1)) if match else None
    return proc.returncode == 0, rtt, "icmp"


def _tcp(address: str, port: int, timeout: float = 2.0) -> tuple[bool, float | None, str]:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    start = time.perf_counter()
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect((address, port))
    except ConnectionRefusedError:
        return True, (time.perf_counter() - start) * 1000, f"tcp/{port} refused"
    except OSError as exc:
        return False, None, f"tcp/{port}: {exc}"
    return True, (time.perf_counter() - start) * 1000, f"tcp/{port}"


def probe(address: str) -> tuple[bool, float | None, str]:
    """``(reachable, rtt_ms, method)`` for an address by ICMP or, failing that, TCP."""
    method = str(_setting("KAM_ACTIVATION_PROBE", "auto"))
    if method != "tcp" and shutil.which("ping"):
        return _ping(address)
    return _tcp(address, int(_setting("KAM_ACTIVATION_TCP_PORT", 80)))


def run_activation_test(*, line: Line, actor: Any) -> ActivationTest:
    if not can_run(actor, line):
        raise Forbidden(_("You are not allowed to do this."))
    test = ActivationTest.objects.create(
        line=line, started_at=timezone.now(), run_by=actor if getattr(actor, "pk", None) else None
    )
    results: dict[str, dict[str, Any]] = {}
    endpoints = list(LineEndpoint.objects.filter(line=line).select_related("interface__device").order_by("end", "role"))
    if not endpoints:
        results["endpoints"] = {"passed": False, "detail": _("The line has no endpoints."), "value": 0}
    for endpoint in endpoints:
        results[f"oper_status_{endpoint.end.lower()}_{endpoint.role}"] = check_endpoint(endpoint)
    if line.test_address:
        reachable, rtt, method = probe(line.test_address)
        results["reachability"] = {
            "passed": reachable,
            "detail": (
                _("%(address)s answers (%(method)s).") if reachable else _("%(address)s does not answer (%(method)s).")
            )
            % {"address": line.test_address, "method": method},
            "value": method,
        }
        limit = float(_setting("KAM_ACTIVATION_MAX_RTT_MS", 100))
        rtt_value = round(rtt, 3) if rtt is not None else None
        results["rtt"] = {
            "passed": rtt_value is not None and rtt_value <= limit,
            "detail": (
                _("Round-trip time %(rtt)s ms (limit %(limit)s ms).") % {"rtt": rtt_value, "limit": limit}
                if rtt_value is not None
                else _("No round-trip time measured.")
            ),
            "value": rtt_value,
        }
    else:
        results["reachability"] = {"passed": False, "detail": _("The line has no test address."), "value": None}
    test.results = results
    test.passed = all(r["passed"] for r in results.values())
    test.finished_at = timezone.now()
    test.save()
    return test
