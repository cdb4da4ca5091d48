"""Test support for the lines app and the apps above it: an SNMP agent simulator and a small network."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

IF_MIB_ROWS = ("1.3.6.1.2.1.2.2.1", "1.3.6.1.2.1.31.1.1.1")


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _string(value: str) -> str:
    if value.isascii() and "|" not in value and "\n" not in value:
        return f"4|{value}"
    return f"4x|{value.encode().hex()}"


@dataclass(frozen=True)
class SimInterface:
    if_index: int
    if_name: str
    if_alias: str = ""
    speed_mbps: int = 1000
    oper_status: int = 1
    admin_status: int = 1


def snmprec(sys_name: str, interfaces: Iterable[SimInterface], uptime_ticks: int = 8_640_000) -> str:
    """An ``.snmprec`` body: sysName, sysUpTime and the IF-MIB columns discovery reads, in OID order."""
    rows: list[tuple[tuple[int, ...], str]] = [
        ((1, 3, 6, 1, 2, 1, 1, 3, 0), f"67|{uptime_ticks}"),
        ((1, 3, 6, 1, 2, 1, 1, 5, 0), _string(sys_name)),
    ]
    for i in interfaces:
        rows += [
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 1, i.if_index), f"2|{i.if_index}"),
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 2, i.if_index), _string(i.if_name)),
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 7, i.if_index), f"2|{i.admin_status}"),
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 8, i.if_index), f"2|{i.oper_status}"),
            ((1, 3, 6, 1, 2, 1, 2, 2, 1, 9, i.if_index), f"67|{uptime_ticks - 6000}"),
            ((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1, i.if_index), _string(i.if_name)),
            ((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 15, i.if_index), f"66|{i.speed_mbps}"),
            ((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 18, i.if_index), _string(i.if_alias)),
        ]
    rows.sort(key=lambda r: r[0])
    return "".join(f"{'.'.join(map(str, oid))}|{value}\n" for oid, value in rows)


class SnmpSimulator:
    """``snmpsim-command-responder`` on 127.0.0.1 serving one data file per community."""

    def __init__(self, data_dir: Path, agents: dict[str, str]) -> None:
        self.data_dir = data_dir
        self.port = free_udp_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.addresses = [f"127.0.0.{i}" for i in range(1, 6)]
        data_dir.mkdir(parents=True, exist_ok=True)
        for community, body in agents.items():
            (data_dir / f"{community}.snmprec").write_text(body, encoding="utf-8")

    @staticmethod
    def executable() -> str:
        local = Path(sys.executable).with_name("snmpsim-command-responder")
        return str(local) if local.exists() else (shutil.which("snmpsim-command-responder") or "")

    def start(self, wait_community: str) -> SnmpSimulator:
        env = {**os.environ, "SNMPSIM_ALLOW_ROOT": "true"}  # needed when the tests run as root
        self.process = subprocess.Popen(
            [
                self.executable(),
                f"--data-dir={self.data_dir}",
                f"--cache-dir={self.data_dir / '.cache'}",
                # several loopback addresses, so that simulated devices keep distinct management addresses
                *[f"--agent-udpv4-endpoint={address}:{self.port}" for address in self.addresses],
                "--log-level=error",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        self.wait(wait_community)
        return self

    def wait(self, community: str, seconds: float = 30.0) -> None:
        from kam.lines import snmp

        deadline = time.monotonic() + seconds
        target = snmp.SnmpTarget("127.0.0.1", self.port, "v2c", community, timeout=0.5, retries=0)
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError("snmpsim exited")
            try:
                snmp.run(snmp.oper_status(target, [1]))
                return
            except Exception:
                time.sleep(0.2)
        raise RuntimeError("snmpsim did not answer")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
