"""SNMP reads for discovery and activation tests (pysnmp 7, asyncio, numeric OIDs).

Nothing here touches the database: callers pass addresses and credentials in and get plain data back, so
the coroutines can run in a worker, in the collector's event loop or under ``asyncio.run`` in a service.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    bulk_walk_cmd,
    get_cmd,
    usmAesCfb128Protocol,
    usmAesCfb256Protocol,
    usmDESPrivProtocol,
    usmHMAC192SHA256AuthProtocol,
    usmHMACMD5AuthProtocol,
    usmHMACSHAAuthProtocol,
    usmNoAuthProtocol,
    usmNoPrivProtocol,
    walk_cmd,
)

SYS_NAME = "1.3.6.1.2.1.1.5.0"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_ADMIN_STATUS = "1.3.6.1.2.1.2.2.1.7"
IF_OPER_STATUS = "1.3.6.1.2.1.2.2.1.8"
IF_LAST_CHANGE = "1.3.6.1.2.1.2.2.1.9"
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IF_HIGH_SPEED = "1.3.6.1.2.1.31.1.1.1.15"
IF_ALIAS = "1.3.6.1.2.1.31.1.1.1.18"

_AUTH = {
    "": usmNoAuthProtocol,
    "md5": usmHMACMD5AuthProtocol,
    "sha": usmHMACSHAAuthProtocol,
    "sha256": usmHMAC192SHA256AuthProtocol,
}
_PRIV = {"": usmNoPrivProtocol, "des": usmDESPrivProtocol, "aes": usmAesCfb128Protocol, "aes256": usmAesCfb256Protocol}


class SnmpError(Exception):
    """The agent did not answer, or answered with an error."""


@dataclass(frozen=True)
class SnmpTarget:
    host: str
    port: int = 161
    version: str = "v2c"  # v1 | v2c | v3
    community: str = ""
    v3_user: str = ""
    auth_protocol: str = ""
    auth_key: str = ""
    priv_protocol: str = ""
    priv_key: str = ""
    timeout: float = 1.0
    retries: int = 1

    def __repr__(self) -> str:  # never print secrets into logs or tracebacks
        return f"SnmpTarget({self.host}:{self.port} {self.version})"

    def auth_data(self) -> Any:
        if self.version == "v3":
            return UsmUserData(
                self.v3_user,
                authKey=self.auth_key or None,
                privKey=self.priv_key or None,
                authProtocol=_AUTH.get(self.auth_protocol, usmNoAuthProtocol),
                privProtocol=_PRIV.get(self.priv_protocol, usmNoPrivProtocol),
            )
        return CommunityData(self.community, mpModel=0 if self.version == "v1" else 1)


@dataclass
class InterfaceRow:
    if_index: int
    if_name: str = ""
    if_alias: str = ""
    speed_kbps: int | None = None
    admin_status: int | None = None
    oper_status: int | None = None
    last_change_ticks: int | None = None


@dataclass
class DeviceSnapshot:
    sys_name: str
    sys_uptime_ticks: int | None
    interfaces: list[InterfaceRow] = field(default_factory=list)


def _text(value: Any) -> str:
    try:
        raw = value.asOctets()
    except AttributeError:
        return str(value)
    try:
        return raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return raw.decode("latin-1").strip()


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _is_missing(value: Any) -> bool:
    return type(value).__name__ in ("NoSuchObject", "NoSuchInstance", "EndOfMibView", "Null")


async def _get(engine: SnmpEngine, target: SnmpTarget, transport: Any, oids: list[str]) -> dict[str, Any]:
    error_indication, error_status, _error_index, var_binds = await get_cmd(
        engine, target.auth_data(), transport, ContextData(), *[ObjectType(ObjectIdentity(o)) for o in oids]
    )
    if error_indication:
        raise SnmpError(str(error_indication))
    if error_status:
        raise SnmpError(error_status.prettyPrint())
    return {str(name): value for name, value in var_binds if not _is_missing(value)}


async def _column(engine: SnmpEngine, target: SnmpTarget, transport: Any, column: str) -> dict[int, Any]:
    """Every row of one table column, by its last index; stops at the end of the column."""
    prefix = column + "."
    rows: dict[int, Any] = {}
    if target.version == "v1":
        walker = walk_cmd(
            engine,
            target.auth_data(),
            transport,
            ContextData(),
            ObjectType(ObjectIdentity(column)),
            lexicographicMode=False,
        )
    else:
        walker = bulk_walk_cmd(
            engine,
            target.auth_data(),
            transport,
            ContextData(),
            0,
            50,
            ObjectType(ObjectIdentity(column)),
            lexicographicMode=False,
        )
    async for error_indication, error_status, _error_index, var_binds in walker:
        if error_indication:
            raise SnmpError(str(error_indication))
        if error_status:
            raise SnmpError(error_status.prettyPrint())
        for name, value in var_binds:
            oid = str(name)
            if not oid.startswith(prefix) or _is_missing(value):
                # bulk replies run past the requested column
                return rows
            rows[int(oid[len(prefix) :].split(".")[-1])] = value
    return rows


async def _transport(target: SnmpTarget) -> Any:
    return await UdpTransportTarget.create((target.host, target.port), timeout=target.timeout, retries=target.retries)


async def snapshot(target: SnmpTarget) -> DeviceSnapshot:
    """sysName, sysUpTime and the interface table (IF-MIB columns by numeric OID)."""
    engine = SnmpEngine()
    try:
        transport = await _transport(target)
        system = await _get(engine, target, transport, [SYS_NAME, SYS_UPTIME])
        names = await _column(engine, target, transport, IF_NAME)
        descrs = {} if names else await _column(engine, target, transport, IF_DESCR)
        aliases = await _column(engine, target, transport, IF_ALIAS)
        speeds = await _column(engine, target, transport, IF_HIGH_SPEED)
        oper = await _column(engine, target, transport, IF_OPER_STATUS)
        admin = await _column(engine, target, transport, IF_ADMIN_STATUS)
        changes = await _column(engine, target, transport, IF_LAST_CHANGE)
    finally:
        engine.close_dispatcher()
    indexes = sorted(set(names) | set(descrs) | set(aliases) | set(oper))
    rows = []
    for index in indexes:
        speed = _int(speeds.get(index))
        rows.append(
            InterfaceRow(
                if_index=index,
                if_name=_text(names[index]) if index in names else _text(descrs.get(index, "")),
                if_alias=_text(aliases.get(index, "")),
                speed_kbps=speed * 1000 if speed is not None else None,
                admin_status=_int(admin.get(index)),
                oper_status=_int(oper.get(index)),
                last_change_ticks=_int(changes.get(index)),
            )
        )
    return DeviceSnapshot(
        sys_name=_text(system.get(SYS_NAME, "")),
        sys_uptime_ticks=_int(system.get(SYS_UPTIME)),
        interfaces=rows,
    )


async def oper_status(target: SnmpTarget, if_indexes: list[int]) -> dict[int, int | None]:
    """ifOperStatus of the given interfaces (``None`` where the agent has no such row)."""
    engine = SnmpEngine()
    try:
        transport = await _transport(target)
        values = await _get(engine, target, transport, [f"{IF_OPER_STATUS}.{i}" for i in if_indexes])
    finally:
        engine.close_dispatcher()
    return {i: _int(values.get(f"{IF_OPER_STATUS}.{i}")) for i in if_indexes}


def run(coro: Any) -> Any:
    """Run a coroutine from synchronous code (services, huey tasks)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # called from inside an event loop (an async view or the collector): run on a private loop
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
