"""export_openapi, update_messages and check_messages."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import polib
import pytest
from django.core.management import CommandError, call_command

from kam.core import catalogs
from kam.core.catalogs import App, check_app, placeholders, update_app
from kam.core.management.commands import check_messages as check_messages_command
from kam.core.management.commands.export_openapi import openapi_document

# --- export_openapi --------------------------------------------------------------------------------------


def test_export_openapi_writes_a_stable_document(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    call_command("export_openapi", str(target), stdout=StringIO())
    text = target.read_text(encoding="utf-8")
    assert text == openapi_document()
    assert text.endswith("}\n")
    document = json.loads(text)
    assert "servers" not in document
    assert document["info"]["title"] == "KAM API"
    assert "/api/v1/customers" in document["paths"]
    assert list(document) == sorted(document)


def test_export_openapi_check_passes_on_a_current_file(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    target.write_text(openapi_document(), encoding="utf-8")
    out = StringIO()
    call_command("export_openapi", str(target), check=True, stdout=out)
    assert "up to date" in out.getvalue()


def test_export_openapi_check_fails_with_a_diff_on_a_stale_file(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    stale = openapi_document().replace('"title": "KAM API"', '"title": "Old API"')
    target.write_text(stale, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="out of date"):
        call_command("export_openapi", str(target), check=True, stdout=StringIO(), stderr=err)
    diff = err.getvalue()
    assert '-    "title": "Old API",' in diff
    assert '+    "title": "KAM API",' in diff
    assert target.read_text(encoding="utf-8") == stale  # --check never writes


def test_export_openapi_check_fails_on_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("export_openapi", str(tmp_path / "nope.json"), check=True, stdout=StringIO(), stderr=StringIO())


# --- message catalogues ----------------------------------------------------------------------------------

SOURCE = '''from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

TITLE = _("Key accounts")
GREETING = _("Hello %(name)s")


def lines(n):
    return ngettext("%(n)d line", "%(n)d lines", n) % {"n": n}
'''


@pytest.fixture
def app(tmp_path: Path) -> App:
    root = tmp_path / "demoapp"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "models.py").write_text(SOURCE)
    (root / "tests").mkdir()
    (root / "tests" / "test_x.py").write_text('from django.utils.translation import gettext as _\n_("Ignored")\n')
    return App(label="demoapp", name="demoapp", sources=(root,), locale_dir=root / "locale")


def translate(app: App, translations: dict[str, str | list[str]]) -> None:
    path = app.po_path("zh_Hans")
    po = polib.pofile(str(path))
    for entry in po:
        value = translations.get(entry.msgid)
        if isinstance(value, list):
            entry.msgstr_plural = dict(enumerate(value))
        elif value is not None:
            entry.msgstr = value
    po.save(str(path))


ZH = {"Key accounts": "大客户", "Hello %(name)s": "您好，%(name)s", "%(n)d line": ["%(n)d 条专线"]}


def reasons(problems: list[catalogs.Problem]) -> set[tuple[str, str, str]]:
    return {(p.locale, p.msgid, p.reason) for p in problems}


def test_update_creates_both_catalogues_fills_english_and_compiles(app: App) -> None:
    assert update_app(app) == {"zh_Hans": 3, "en": 0}
    en = polib.pofile(str(app.po_path("en")))
    assert {e.msgid: e.msgstr for e in en if not e.msgid_plural} == {
        "Hello %(name)s": "Hello %(name)s",
        "Key accounts": "Key accounts",
    }
    plural = en.find("%(n)d line")
    assert plural is not None
    assert plural.msgstr_plural == {0: "%(n)d line", 1: "%(n)d lines"}
    assert en.find("Ignored") is None  # tests are not scanned
    assert app.po_path("en").with_suffix(".mo").exists()
    zh = polib.pofile(str(app.po_path("zh_Hans")))
    assert zh.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "POT-Creation-Date" not in zh.metadata


def test_update_is_idempotent_and_keeps_translations(app: App) -> None:
    update_app(app)
    translate(app, ZH)
    po = polib.pofile(str(app.po_path("zh_Hans")))
    po.find("Key accounts").tcomment = "the sidebar section"  # type: ignore[union-attr]
    po.save(str(app.po_path("zh_Hans")))
    update_app(app)
    first = app.po_path("zh_Hans").read_bytes()
    update_app(app)
    assert app.po_path("zh_Hans").read_bytes() == first
    entry = polib.pofile(str(app.po_path("zh_Hans"))).find("Key accounts")
    assert entry is not None
    assert (entry.msgstr, entry.tcomment) == ("大客户", "the sidebar section")


def test_check_reports_missing_zh_translations(app: App) -> None:
    update_app(app)
    found = reasons(check_app(app))
    assert ("zh_Hans", "Key accounts", "no translation") in found
    assert ("zh_Hans", "Hello %(name)s", "no translation") in found
    assert ("zh_Hans", "%(n)d line", "no translation") in found
    assert not [r for r in found if r[0] == "en"]


def test_check_passes_on_complete_catalogues(app: App) -> None:
    update_app(app)
    translate(app, ZH)
    update_app(app)  # compiles
    assert check_app(app) == []


def test_check_reports_fuzzy_entries(app: App) -> None:
    update_app(app)
    translate(app, ZH)
    po = polib.pofile(str(app.po_path("zh_Hans")))
    po.find("Key accounts").flags.append("fuzzy")  # type: ignore[union-attr]
    po.save(str(app.po_path("zh_Hans")))
    update_app(app)
    assert reasons(check_app(app)) == {("zh_Hans", "Key accounts", "fuzzy translation")}


def test_check_reports_placeholder_mismatch(app: App) -> None:
    update_app(app)
    translate(app, {**ZH, "Hello %(name)s": "您好，%(user)s"})
    problems = [p for p in check_app(app) if p.msgid]
    assert [(p.locale, p.msgid) for p in problems] == [("zh_Hans", "Hello %(name)s")]
    assert problems[0].reason == "placeholders differ: ['%(name)s'] vs ['%(user)s']"


def test_check_reports_placeholder_missing_in_a_plural_form(app: App) -> None:
    update_app(app)
    translate(app, {**ZH, "%(n)d line": ["多条专线"]})
    problems = [p for p in check_app(app) if p.msgid]
    assert [(p.locale, p.msgid) for p in problems] == [("zh_Hans", "%(n)d line")]


def test_update_refuses_to_compile_mismatched_placeholders(app: App) -> None:
    update_app(app)
    translate(app, {**ZH, "Hello %(name)s": "您好，%(user)s"})
    with pytest.raises(catalogs.CatalogueError, match="does not compile"):
        update_app(app)


def test_check_reports_strings_missing_from_the_catalogue(app: App) -> None:
    update_app(app)
    translate(app, ZH)
    update_app(app)
    source = app.sources[0] / "models.py"
    source.write_text(source.read_text() + 'EXTRA = _("Account manager")\n')
    found = reasons(check_app(app))
    assert found == {
        ("zh_Hans", "Account manager", "in the sources but not in the catalogue"),
        ("en", "Account manager", "in the sources but not in the catalogue"),
    }
    assert polib.pofile(str(app.po_path("en"))).find("Account manager") is None  # the check wrote nothing


def test_check_reports_a_stale_mo(app: App) -> None:
    update_app(app)
    translate(app, ZH)  # edited, not compiled
    found = reasons(check_app(app))
    assert ("zh_Hans", "", "django.mo is stale; run manage.py update_messages") in found


def test_check_reports_a_missing_catalogue(app: App) -> None:
    update_app(app)
    app.po_path("en").unlink()
    problems = check_app(app)
    assert any(p.locale == "en" and p.reason.startswith("no catalogue") for p in problems)


def test_check_messages_command_fails_and_lists_app_and_msgid(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    update_app(app)
    monkeypatch.setattr(check_messages_command, "kam_apps", lambda: [app])
    err = StringIO()
    with pytest.raises(CommandError, match="3 problem"):
        call_command("check_messages", stdout=StringIO(), stderr=err)
    assert "demoapp [zh_Hans]: no translation: 'Key accounts'" in err.getvalue()


def test_placeholders() -> None:
    assert placeholders("%(name)s has %(count)d lines", []) == {"%(name)s": 1, "%(count)d": 1}
    assert placeholders("100%", ["python-format"]) == {}
    assert placeholders("%s of %s", ["python-format"]) == {"%s": 2}
    assert placeholders("%s of %s", []) == {}
    assert placeholders("{name} and {{literal}}", ["python-brace-format"]) == {"{name}": 1}
    assert placeholders("%(score)+d", []) == {"%(score)d": 1}


def test_every_kam_app_has_a_catalogue() -> None:
    for app in catalogs.kam_apps():
        for locale in catalogs.LOCALES:
            assert app.po_path(locale).exists(), app.po_path(locale)
