"""SNMP discovery ("plug and play"): read a device's interfaces and bind them to lines by circuit id.

``discover_device`` reads sysName and the IF-MIB table, upserts the interfaces, binds every interface whose
ifAlias carries a known circuit id (the whole alias or one of its tokens) to that line's free endpoint, and
proposes the rest for review. ``discover_address`` is what a coldStart/warmStart trap from an unknown address
(or an engineer typing an address) calls. ``queue_discovery`` runs it in the worker after the commit.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.errors import Conflict, Forbidden, ValidationFailed
from kam.core.permissions import CHANGE
from kam.lines import snmp
from kam.lines.choices import (
    IF_STATUS_BY_CODE,
    DeviceRole,
    DeviceStatus,
    DiscoveryStatus,
    IfStatus,
    PopKind,
    ProposalStatus,
    SnmpVersion,
)
from kam.lines.models import Device, DiscoveryProposal, DiscoveryRun, Interface, Line, LineEndpoint, PointOfPresence
from kam.lines.services import bind_endpoint, choose_endpoint

# Where a device found from an unknown address waits until an engineer places it.
HOLDING_POP_CODE = "UNPLACED"

_TOKEN_SPLIT = re.compile(r"[\s,;:|/\\()\[\]{}<>\"'#=]+")


def alias_tokens(alias: str) -> list[str]:
    """The candidate circuit ids in an ifAlias: the whole alias and each token of it."""
    alias = (alias or "").strip()
    if not alias:
        return []
    tokens = [alias] + [t for t in _TOKEN_SPLIT.split(alias) if t]
    return list(dict.fromkeys(tokens))


def target_for(device: Device, timeout: float = 1.0, retries: int = 1) -> snmp.SnmpTarget:
    if not device.mgmt_address:
        raise Conflict(_("The device has no management address."), code="no_mgmt_address")
    return snmp.SnmpTarget(
        host=device.mgmt_address,
        port=device.snmp_port,
        version=device.snmp_version,
        community=device.snmp_community,
        v3_user=device.snmp_v3_user,
        auth_protocol=device.snmp_auth_protocol,
        auth_key=device.snmp_auth_key,
        priv_protocol=device.snmp_priv_protocol,
        priv_key=device.snmp_priv_key,
        timeout=timeout,
        retries=retries,
    )


@dataclass
class Outcome:
    interfaces: int = 0
    bound: int = 0
    proposed: int = 0


def _status(code: int | None) -> str:
    return IF_STATUS_BY_CODE.get(code, IfStatus.UNKNOWN) if code is not None else IfStatus.UNKNOWN


def start_run(*, device: Device, actor: Any) -> DiscoveryRun:
    if actor is not None and not Device.objects.restrict(actor, CHANGE).filter(pk=device.pk).exists():
        raise Forbidden(_("You are not allowed to do this."))
    if not device.mgmt_address:
        raise Conflict(_("The device has no management address."), code="no_mgmt_address")
    return DiscoveryRun.objects.create(
        device=device, started_at=timezone.now(), run_by=actor if getattr(actor, "pk", None) else None
    )


def discover_device(
    *, device: Device, actor: Any = None, run: DiscoveryRun | None = None, timeout: float = 1.0, retries: int = 1
) -> DiscoveryRun:
    """Discover one device synchronously; returns the finished run (failed runs carry the error)."""
    run = run or start_run(device=device, actor=actor)
    try:
        found = snmp.run(snmp.snapshot(target_for(device, timeout=timeout, retries=retries)))
    except (snmp.SnmpError, OSError) as exc:
        return _fail(run, device, str(exc) or exc.__class__.__name__)
    with transaction.atomic():
        outcome = apply_snapshot(device=device, found=found)
        run.status = DiscoveryStatus.SUCCEEDED
        run.finished_at = timezone.now()
        run.interfaces_found = outcome.interfaces
        run.endpoints_bound = outcome.bound
        run.proposals_made = outcome.proposed
        run.save()
    run.device = Device.objects.get(pk=device.pk)
    return run


def _fail(run: DiscoveryRun, device: Device, error: str) -> DiscoveryRun:
    with transaction.atomic():
        run.status = DiscoveryStatus.FAILED
        run.finished_at = timezone.now()
        run.error = error[:2000]
        run.save()
        if device.status == DeviceStatus.ACTIVE:
            Device.objects.filter(pk=device.pk).update(status=DeviceStatus.UNREACHABLE)
            device.status = DeviceStatus.UNREACHABLE
    return run


def _circuit_lines(rows: list[snmp.InterfaceRow]) -> dict[str, Line]:
    tokens = {t for row in rows for t in alias_tokens(row.if_alias)}
    if not tokens:
        return {}
    return {
        line.circuit_id: line for line in Line.objects.filter(circuit_id__in=tokens).select_related("a_site", "z_site")
    }


def _line_for_alias(alias: str, lines: dict[str, Line]) -> Line | None:
    for token in alias_tokens(alias):
        if token in lines:
            return lines[token]
    return None


@transaction.atomic
def apply_snapshot(*, device: Device, found: snmp.DeviceSnapshot) -> Outcome:
    now = timezone.now()
    device = Device.objects.select_for_update().get(pk=device.pk)
    outcome = Outcome(interfaces=len(found.interfaces))
    existing = {i.if_index: i for i in device.interfaces.all()}
    seen: set[int] = set()
    for row in found.interfaces:
        seen.add(row.if_index)
        last_change = None
        if found.sys_uptime_ticks is not None and row.last_change_ticks is not None:
            ago = max(0, found.sys_uptime_ticks - row.last_change_ticks) / 100
            last_change = now - timedelta(seconds=ago)
        interface = existing.get(row.if_index) or Interface(device=device, if_index=row.if_index)
        interface.if_name = row.if_name[:255]
        interface.if_alias = row.if_alias[:255]
        interface.speed_kbps = row.speed_kbps
        interface.admin_status = _status(row.admin_status)
        interface.oper_status = _status(row.oper_status)
        interface.last_change = last_change
        interface.save()
        existing[row.if_index] = interface
    for index, interface in existing.items():
        if index not in seen and interface.oper_status != IfStatus.NOT_PRESENT:
            interface.oper_status = IfStatus.NOT_PRESENT
            interface.save(update_fields=["oper_status", "updated_at"])

    lines = _circuit_lines(found.interfaces)
    bound_interfaces = set(LineEndpoint.objects.filter(interface__device=device).values_list("interface_id", "line_id"))
    bound_ifaces = {i for i, _l in bound_interfaces}
    for row in found.interfaces:
        interface = existing[row.if_index]
        line = _line_for_alias(row.if_alias, lines)
        if line is not None and (interface.pk, line.pk) in bound_interfaces:
            continue  # already bound to its line
        if line is not None:
            endpoint = choose_endpoint(line, device)
            if endpoint is not None:
                bind_endpoint(
                    line=line,
                    end=endpoint.end,
                    role=endpoint.role,
                    interface=interface,
                    vlan=endpoint.vlan,
                    actor=None,
                )
                bound_ifaces.add(interface.pk)
                outcome.bound += 1
                continue
            if _propose(
                device,
                interface,
                line,
                _("Both ends of %(circuit)s are already bound to other ports.") % {"circuit": line.circuit_id},
            ):
                outcome.proposed += 1
            continue
        if interface.pk in bound_ifaces:
            continue
        suggestion = _suggest(device)
        reason = (
            _("No known circuit id in the alias; a line of this site still has a free end.")
            if suggestion is not None
            else _("No known circuit id in the alias.")
        )
        if _propose(device, interface, suggestion, reason):
            outcome.proposed += 1

    device.sys_name = (found.sys_name or device.sys_name)[:255]
    device.last_discovered_at = now
    if device.status in (DeviceStatus.PLANNED, DeviceStatus.UNREACHABLE):
        device.status = DeviceStatus.ACTIVE
    device.save()
    return outcome


def _suggest(device: Device) -> Line | None:
    """For a CPE: a line ending at its site that still has an end without a port."""
    if not device.site_id:
        return None
    return (
        Line.objects.filter(Q(a_site_id=device.site_id) | Q(z_site_id=device.site_id))
        .filter(endpoints__interface__isnull=True)
        .order_by("circuit_id")
        .first()
    )


def _propose(device: Device, interface: Interface, line: Line | None, reason: str) -> bool:
    """A pending proposal for the interface, unless one is pending or was dismissed already."""
    if DiscoveryProposal.objects.filter(
        interface=interface, status__in=(ProposalStatus.PENDING, ProposalStatus.DISMISSED)
    ).exists():
        return False
    DiscoveryProposal.objects.create(device=device, interface=interface, line=line, reason=reason[:300])
    return True


def queue_discovery(*, device: Device, actor: Any) -> DiscoveryRun:
    """Start a run now and discover in the worker once the caller's transaction commits."""
    run = start_run(device=device, actor=actor)
    from kam.lines.tasks import discover_device_task

    transaction.on_commit(lambda: discover_device_task(run.pk))
    return run


# --- discovery from an address (a trap from an unknown agent, or an engineer typing it) ---------------------


def _holding_pop(region: Any) -> PointOfPresence:
    pop = PointOfPresence.objects.filter(code=HOLDING_POP_CODE).first()
    if pop is None:
        pop = PointOfPresence.objects.create(
            code=HOLDING_POP_CODE, name=_("Discovered, not yet placed"), kind=PopKind.CENTRAL_OFFICE, region=region
        )
    return pop


def management_address(address: str) -> str:
    """``address`` as a normalised IP address, or a 422 naming the ``address`` field."""
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError as exc:
        msg = _("Enter a valid IPv4 or IPv6 management address.")
        raise ValidationFailed(msg, fields={"address": [msg]}) from exc


def discover_address(
    address: str,
    *,
    community: str = "public",
    version: str = SnmpVersion.V2C,
    port: int = 161,
    actor: Any = None,
    timeout: float = 1.0,
    retries: int = 1,
) -> DiscoveryRun:
    """Discover the agent at ``address``; create the device if it is unknown.

    A known management address re-discovers that device. An unknown one is read first: a device with the
    same sysName gets the new address; otherwise a new device is placed at the customer site of a line
    whose circuit id its aliases carry (a CPE coming up at the customer), or else at the holding PoP
    ``UNPLACED`` for an engineer to place.
    """
    from kam.core.models import Region

    address = management_address(address)
    device = Device.objects.filter(mgmt_address=address).first()
    if device is not None:
        return discover_device(device=device, actor=actor, timeout=timeout, retries=retries)
    target = snmp.SnmpTarget(
        host=address, port=port, version=version, community=community, timeout=timeout, retries=retries
    )
    try:
        found = snmp.run(snmp.snapshot(target))
    except (snmp.SnmpError, OSError) as exc:
        msg = _("No SNMP agent answered at %(address)s: %(error)s") % {"address": address, "error": exc}
        raise ValidationFailed(msg, code="agent_unreachable", fields={"address": [msg]}) from exc
    with transaction.atomic():
        device = Device.objects.filter(sys_name=found.sys_name).exclude(sys_name="").first() if found.sys_name else None
        if device is not None:
            device.mgmt_address = address
            device.snmp_port = port
            device.snmp_version = version
            device.snmp_community = community
            device.save()
        else:
            lines = _circuit_lines(found.interfaces)
            site = None
            for row in found.interfaces:
                line = _line_for_alias(row.if_alias, lines)
                if line is None:
                    continue
                for candidate in (line.a_site, line.z_site):
                    if candidate is not None and not Device.objects.filter(site=candidate).exists():
                        site = candidate
                        break
                if site is not None:
                    break
            name = found.sys_name or address
            if site is not None:
                device = Device(name=name[:100], role=DeviceRole.CPE, site=site, region_id=site.region_id)
            else:
                region = next(iter(lines.values())).region if lines else Region.objects.order_by("code").first()
                if region is None:
                    raise Conflict(_("No region is loaded; load reference data first."), code="no_region")
                device = Device(name=name[:100], role=DeviceRole.ACCESS, pop=_holding_pop(region), region=region)
            device.mgmt_address = address
            device.sys_name = found.sys_name[:255]
            device.snmp_port = port
            device.snmp_version = version
            device.snmp_community = community
            device.status = DeviceStatus.PLANNED
            device.full_clean()
            device.save()
        run = DiscoveryRun.objects.create(device=device, started_at=timezone.now(), run_by=None)
        outcome = apply_snapshot(device=device, found=found)
        run.status = DiscoveryStatus.SUCCEEDED
        run.finished_at = timezone.now()
        run.interfaces_found = outcome.interfaces
        run.endpoints_bound = outcome.bound
        run.proposals_made = outcome.proposed
        run.save()
    run.device = Device.objects.get(pk=device.pk)
    return run
