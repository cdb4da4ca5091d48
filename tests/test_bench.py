"""The benchmark harness: wrk output parsing, result lines, the limit app's JSON formatting."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder

from bench.common import Result, parse_wrk
from bench.raw_app import _convert, _datetime

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8123/api/v1/customers/1796
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    30.12ms   10.01ms 200.00ms   90.00%
    Req/Sec   265.00     30.00   300.00     70.00%
  Latency Distribution
     50%   28.50ms
     75%   33.00ms
     90%   40.00ms
     99%    1.20s
  5300 requests in 10.01s, 5.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:    529.47
Transfer/sec:    521.00KB
"""


def test_parse_wrk() -> None:
    run = parse_wrk(WRK_OUTPUT)
    assert run.requests_per_second == 529.47
    assert run.p50_ms == 28.5
    assert run.p99_ms == 1200.0
    assert run.requests == 5300
    assert run.non_2xx == 4
    assert run.socket_errors == 3


def test_parse_wrk_microseconds_and_clean_run() -> None:
    text = WRK_OUTPUT.replace("   28.50ms", "  850.00us")
    for line in ("  Socket errors: connect 0, read 2, write 0, timeout 1\n", "  Non-2xx or 3xx responses: 4\n"):
        text = text.replace(line, "")
    run = parse_wrk(text)
    assert run.p50_ms == 0.85
    assert (run.non_2xx, run.socket_errors) == (0, 0)


def test_result_line_and_verdict() -> None:
    ok = Result("api_detail", "req/s", 500.0, 5000.0, 0.08, {"summary": "p99 40.0 ms vs 4.0 ms"})
    assert ok.ratio == 0.1 and ok.passed
    assert ok.line() == (
        "api_detail          500.0 req/s  limit     5000.0 req/s  ratio 0.100  target >= 0.08  PASS"
        "  (p99 40.0 ms vs 4.0 ms)"
    )
    slow = Result("api_detail", "req/s", 100.0, 5000.0, 0.08)
    assert not slow.passed and slow.line().endswith("FAIL")
    broken = Result("api_detail", "req/s", 500.0, 5000.0, 0.08, errors=["kam: 3 failed requests"])
    assert not broken.passed and broken.line().endswith("errors: kam: 3 failed requests")
    assert Result("x", "req/s", 1.0, 0.0, 0.08).ratio == 0.0


def test_limit_formats_values_like_the_api() -> None:
    encoder = DjangoJSONEncoder()
    for stored, value in (
        ("2026-11-22 07:30:01.123456", datetime(2026, 11, 22, 7, 30, 1, 123456, tzinfo=UTC)),
        ("2026-11-22 07:30:01", datetime(2026, 11, 22, 7, 30, 1, tzinfo=UTC)),
    ):
        assert _datetime(stored) == json.loads(encoder.encode(value))
    assert _convert("decimal", 12.5, 2) == json.loads(encoder.encode(Decimal("12.50")))
    assert _convert("bool", 1, None) is True
    assert _convert("raw", None, None) is None
