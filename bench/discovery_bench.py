"""``discovery``: reading a device's interface table over SNMP, as discovery does.

Data: an ``snmpsim-command-responder`` agent on 127.0.0.1 simulating one device with 2,000 interfaces
(``--quick``: 500): sysName, sysUpTime and the IF-MIB columns discovery reads (ifName, ifAlias carrying circuit
ids, ifHighSpeed, ifOperStatus, ifAdminStatus, ifLastChange, ifDescr).

Measured: ``kam.lines.snmp.snapshot`` (pysnmp 7, asyncio, GETBULK walks of each column, 50 repetitions),
interfaces read per second, best of three rounds.

Limit: net-snmp's ``snmpbulkwalk`` (C) walking the same columns of the same agent with the same
max-repetitions, in the same run, best of three. Both share the simulator, which is the usual bottleneck; the
ratio shows what pysnmp adds on top. Target ratio ≥ 0.5.

Run: ``.venv/bin/python -m bench.discovery_bench [--quick] [--keep]`` (register it in ``bench/__main__.py`` as
``"discovery": "bench.discovery_bench"`` to run it with ``make bench``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Result, write_result

NAME = "discovery"
TARGET = 0.5
COLUMNS = (
    "1.3.6.1.2.1.31.1.1.1.1",
    "1.3.6.1.2.1.31.1.1.1.18",
    "1.3.6.1.2.1.31.1.1.1.15",
    "1.3.6.1.2.1.2.2.1.8",
    "1.3.6.1.2.1.2.2.1.7",
    "1.3.6.1.2.1.2.2.1.9",
)


def _agent(count: int) -> str:
    from kam.lines.testing import SimInterface, snmprec

    return snmprec(
        "bench-pe-01",
        [
            SimInterface(i, f"GigabitEthernet{1 + (i - 1) // 48}/0/{(i - 1) % 48 + 1}", f"GZ-DIA-{i:06d}")
            for i in range(1, count + 1)
        ],
    )


def _kam(port: int) -> int:
    from kam.lines import snmp

    found = snmp.run(snmp.snapshot(snmp.SnmpTarget("127.0.0.1", port, "v2c", "bench", timeout=5, retries=1)))
    return len(found.interfaces)


def _netsnmp(port: int) -> int:
    rows = 0
    for column in COLUMNS:
        out = subprocess.run(
            ["snmpbulkwalk", "-v2c", "-c", "bench", "-Cr50", "-On", "-Oq", "-t", "5", f"127.0.0.1:{port}", column],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        ).stdout
        if column == COLUMNS[0]:
            rows = sum(1 for line in out.splitlines() if line.startswith("." + column + "."))
    return rows


def _best(func: Any, port: int, rounds: int = 3) -> tuple[float, int]:
    best = 0.0
    rows = 0
    for _ in range(rounds):
        start = time.perf_counter()
        rows = func(port)
        elapsed = time.perf_counter() - start
        best = max(best, rows / elapsed if elapsed else 0.0)
    return best, rows


def run(quick: bool = False, keep: bool = False, log: Any = print) -> Result:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.config.settings")
    from kam.lines.testing import SnmpSimulator

    count = 500 if quick else 2000
    workdir = Path(tempfile.mkdtemp(prefix="kam-bench-discovery-"))
    sim = SnmpSimulator(workdir / "data", {"bench": _agent(count)})
    errors: list[str] = []
    try:
        log(f"{NAME}: starting the agent with {count} interfaces")
        sim.start("bench")
        if not shutil.which("snmpbulkwalk"):
            errors.append("snmpbulkwalk (Debian package snmp) is not installed")
            limit, limit_rows = 0.0, 0
        else:
            limit, limit_rows = _best(_netsnmp, sim.port)
        value, rows = _best(_kam, sim.port)
        if rows != count or (limit_rows and limit_rows != count):
            errors.append(f"interfaces read: KAM {rows}, net-snmp {limit_rows}, expected {count}")
        return Result(
            NAME,
            "if/s",
            value,
            limit,
            TARGET,
            details={"summary": f"{count} interfaces, {len(COLUMNS)} columns", "interfaces": count},
            errors=errors,
        )
    finally:
        sim.stop()
        if keep:
            log(f"{NAME}: kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    result = run(quick=args.quick, keep=args.keep, log=lambda m: print(m, file=sys.stderr))
    print(result.line(), flush=True)
    print(f"  → {write_result(result, args.quick)}", file=sys.stderr)
    sys.exit(0 if result.passed else 1)


if __name__ == "__main__":
    main()
