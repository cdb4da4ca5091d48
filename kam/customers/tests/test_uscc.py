from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kam.customers import uscc


@pytest.mark.parametrize("code", ["91110000710925462X", "91110000600037341L", "91350100M000100Y43"])
def test_valid_examples(code: str) -> None:
    result = uscc.check(code)
    assert result.valid
    assert result.problem == ""
    assert result.org_code_ok is True


def test_standard_printed_example_fails_check_digit() -> None:
    result = uscc.check("91350100M000100Y4Z")
    assert result.well_formed
    assert not result.valid
    assert result.problem == "check_digit"
    assert uscc.check_char("91350100M000100Y4") == "3"


def test_pilot_code_fails_check_digit() -> None:
    result = uscc.check("91350100M0001TGQXM")
    assert (result.well_formed, result.check_digit_ok, result.problem) == (True, False, "check_digit")


def test_normalise_and_parts() -> None:
    assert uscc.normalise(" 9111-0000 7109 25462x ") == "91110000710925462X"
    result = uscc.check("9111 0000-7109 25462x")
    assert result.valid
    assert result.region_code == "110000"
    assert result.org_code == "710925462"


def test_weights() -> None:
    assert uscc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("", "length"),
        ("9111000071092546", "length"),
        ("91110000710925462XX", "length"),
        ("9I110000710925462X", "alphabet"),
    ],
)
def test_malformed(code: str, problem: str) -> None:
    result = uscc.check(code)
    assert not result.valid
    assert result.problem == problem


def test_org_code_check() -> None:
    assert uscc.org_code_check("71092546") == "2"
    assert uscc.org_code_check("60003734") == "1"
    assert uscc.org_code_check("M000100Y") == "4"


body = st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17)


@given(body)
def test_generated_code_validates(b: str) -> None:
    assert uscc.is_valid(uscc.make(b))


@given(body, st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=30))
def test_changing_one_character_breaks_it(b: str, position: int, shift: int) -> None:
    code = uscc.make(b)
    old = uscc.VALUES[code[position]]
    changed = code[:position] + uscc.ALPHABET[(old + shift) % 31] + code[position + 1 :]
    assert not uscc.is_valid(changed)
