"""``python -m bench [names…] [--quick] [--keep]``: run benchmarks, one result line each.

Each line: name, the measured value, the limit measured in the same run, their ratio, the target ratio and
PASS/FAIL. Results are also written as JSON to ``bench/results/``. The exit status is 1 when any
benchmark fails.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from bench.common import Result, write_result

# name → module; each module has ``run(quick: bool, keep: bool, log) -> Result``
BENCHMARKS = {
    "api_detail": "bench.api_detail",
    "customers": "bench.customers_bench",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"benchmarks to run ({', '.join(BENCHMARKS)})")
    parser.add_argument("--quick", action="store_true", help="shorter loads and less data, for development")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directories (databases, logs)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    failed = False
    for name in args.names or list(BENCHMARKS):
        module = importlib.import_module(BENCHMARKS[name])
        try:
            result: Result = module.run(quick=args.quick, keep=args.keep, log=lambda m: print(m, file=sys.stderr))
        except Exception as exc:
            traceback.print_exc()
            result = Result(name, "", 0.0, 0.0, getattr(module, "TARGET", 0.0), errors=[f"{type(exc).__name__}: {exc}"])
        print(result.line(), flush=True)
        path = write_result(result, args.quick)
        print(f"  → {path}", file=sys.stderr)
        failed = failed or not result.passed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
