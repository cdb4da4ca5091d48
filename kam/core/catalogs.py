"""Per-app message catalogues: extraction, English fill-in, compilation and consistency checks.

Every app in ``settings.KAM_APPS`` keeps ``locale/{zh_Hans,en}/LC_MESSAGES/django.po`` (and the compiled
``.mo``) inside its own directory. ``manage.py update_messages`` keeps them in step with the sources;
``manage.py check_messages`` verifies them without writing anything in the repository.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

LOCALES = ("zh_Hans", "en")
DOMAIN = "django"
#: File types scanned for translatable strings (Django's default for the ``django`` domain).
EXTENSIONS = (".py", ".html", ".txt")
#: Directories that never hold user-facing strings.
IGNORE_DIRS = ("tests", "migrations", "static", "locale", "__pycache__", "node_modules")
IGNORE_PATTERNS = [*IGNORE_DIRS, *(f"{d}/*" for d in IGNORE_DIRS), ".*", "*~"]

PLURAL_FORMS = {"zh_Hans": "nplurals=1; plural=0;", "en": "nplurals=2; plural=(n != 1);"}
LANGUAGE_NAMES = {"zh_Hans": "Simplified Chinese", "en": "English"}

Key = tuple[str, str]  # (msgctxt, msgid)


class CatalogueError(Exception):
    """A catalogue cannot be compiled (msgfmt missing, or format strings that do not match)."""


@dataclass(frozen=True)
class App:
    """A catalogue: the sources it covers and the ``locale`` directory it lives in."""

    label: str
    name: str
    sources: tuple[Path, ...]
    locale_dir: Path

    def po_path(self, locale: str) -> Path:
        return self.locale_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True)
class Problem:
    app: str
    locale: str
    msgid: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.app} [{self.locale}]" if self.locale else self.app
        return f"{where}: {self.reason}: {self.msgid!r}" if self.msgid else f"{where}: {self.reason}"


def kam_apps() -> list[App]:
    """Every app in ``KAM_APPS``, then the project catalogue (``kam/config`` and ``kam/cli.py``)."""
    result = []
    for name in settings.KAM_APPS:
        config = next(c for c in apps.get_app_configs() if c.name == name)
        path = Path(config.path)
        result.append(App(label=config.label, name=config.name, sources=(path,), locale_dir=path / "locale"))
    package = Path(__file__).resolve().parent.parent
    result.append(
        App(
            label="project",
            name="kam.config",
            sources=tuple(p for p in (package / "config", package / "cli.py", package / "__init__.py") if p.exists()),
            locale_dir=Path(settings.LOCALE_PATHS[0]) if settings.LOCALE_PATHS else package.parent / "locale",
        )
    )
    return result


def key(entry: Any) -> Key:
    return (entry.msgctxt or "", entry.msgid)


# --- extraction ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _ignore_copy(directory: str, names: list[str]) -> list[str]:
    skipped = []
    for name in names:
        full = Path(directory) / name
        if full.is_dir():
            if name in IGNORE_DIRS or name.startswith("."):
                skipped.append(name)
        elif full.suffix not in EXTENSIONS:
            skipped.append(name)
    return skipped


def source_msgids(app: App) -> dict[Key, Any]:
    """The translatable strings of the app's sources, as untranslated entries.

    Django's makemessages runs in a scratch copy of the sources, so nothing in the repository changes.
    """
    import polib

    with tempfile.TemporaryDirectory(prefix="kam-messages-") as tmp:
        root = Path(tmp) / app.label
        root.mkdir()
        for source in app.sources:
            if source.is_dir():
                shutil.copytree(source, root / source.name, ignore=_ignore_copy)
            elif source.suffix in EXTENSIONS:
                shutil.copy2(source, root / source.name)
        (root / "locale").mkdir()
        # LOCALE_PATHS would otherwise claim every file below the project directory.
        with override_settings(LOCALE_PATHS=[]), _cwd(root):
            call_command(
                "makemessages",
                locale=["en"],
                domain=DOMAIN,
                extensions=[e.lstrip(".") for e in EXTENSIONS],
                ignore_patterns=IGNORE_PATTERNS,
                no_location=True,
                no_obsolete=True,
                verbosity=0,
                stdout=StringIO(),
                stderr=StringIO(),
            )
        po_file = root / "locale" / "en" / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po_file.exists():
            return {}
        return {key(e): e for e in polib.pofile(str(po_file)) if not e.obsolete and e.msgid}


# --- update ----------------------------------------------------------------------------------------------


def normalise(po: Any, app: App, locale: str) -> None:
    """A stable header (no dates) so that re-running the update changes nothing."""
    po.header = (
        f"Messages of {app.name} ({LANGUAGE_NAMES[locale]}).\n"
        "This file is distributed under the same licence as KAM."
    )
    po.metadata = {
        "Project-Id-Version": "KAM",
        "Report-Msgid-Bugs-To": "",
        "Language": locale,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURAL_FORMS[locale],
    }
    po.metadata_is_fuzzy = False


def merge(po: Any, sources: dict[Key, Any]) -> Any:
    """A catalogue with exactly the source entries, keeping the existing translations (no obsolete ones)."""
    import polib

    existing = {key(e): e for e in po if not e.obsolete and e.msgid}
    merged = polib.POFile(wrapwidth=78)
    for entry_key in sorted(sources):
        source = sources[entry_key]
        old = existing.get(entry_key)
        entry = polib.POEntry(
            msgctxt=source.msgctxt,
            msgid=source.msgid,
            msgid_plural=source.msgid_plural,
            comment=source.comment,
            tcomment=old.tcomment if old is not None else "",
            flags=[f for f in source.flags if f != "fuzzy"],
        )
        if source.msgid_plural:
            entry.msgstr_plural = dict(old.msgstr_plural) if old is not None and old.msgid_plural else {0: ""}
        else:
            entry.msgstr = old.msgstr if old is not None and not old.msgid_plural else ""
        if old is not None and "fuzzy" in old.flags:
            entry.flags.append("fuzzy")
        merged.append(entry)
    return merged


def fill_english(po: Any) -> int:
    """English is the source language: every entry translates to itself. Returns how many were filled."""
    filled = 0
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            wanted = {0: entry.msgid, 1: entry.msgid_plural}
            if entry.msgstr_plural != wanted:
                entry.msgstr_plural = wanted
                filled += 1
        elif entry.msgstr != entry.msgid:
            entry.msgstr = entry.msgid
            filled += 1
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    return filled


def update_app(app: App) -> dict[str, int]:
    """Extract, merge, fill English, normalise and compile one app's catalogues; untranslated per locale."""
    import polib

    sources = source_msgids(app)
    untranslated: dict[str, int] = {}
    for locale in LOCALES:
        path = app.po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        po = merge(polib.pofile(str(path)) if path.exists() else polib.POFile(), sources)
        if locale == "en":
            fill_english(po)
        normalise(po, app, locale)
        text = str(po)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        untranslated[locale] = len([e for e in po if not e.translated() or "fuzzy" in e.flags])
        compile_po(path)
    return untranslated


def compile_po(path: Path) -> None:
    """``msgfmt`` as Django's compilemessages runs it (format strings checked)."""
    program = shutil.which("msgfmt")
    if program is None:
        raise CatalogueError("msgfmt is not installed (Debian package gettext).")
    done = subprocess.run(
        [program, "--check-format", "-o", str(path.with_suffix(".mo")), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise CatalogueError(f"{path} does not compile:\n{done.stderr.strip()}")


# --- checks ----------------------------------------------------------------------------------------------

_PERCENT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<conv>[diouxXeEfFgGcrsa%])")
_BRACE = re.compile(r"(?<!\{)\{(?P<field>[A-Za-z_][A-Za-z0-9_]*|\d*)(?:[!:][^{}]*)?\}(?!\})")


def placeholders(text: str, flags: list[str]) -> Counter[str]:
    """Named placeholders always; positional ``%s`` ones only in python-format strings; ``{x}`` in brace ones."""
    found: Counter[str] = Counter()
    python_format = "python-format" in flags
    for match in _PERCENT.finditer(text):
        if match.group("conv") == "%":
            continue
        if match.group("name") is not None:
            found[f"%({match.group('name')}){match.group('conv')}"] += 1
        elif python_format:
            found[f"%{match.group('conv')}"] += 1
    if "python-brace-format" in flags:
        for match in _BRACE.finditer(text):
            found["{" + match.group("field") + "}"] += 1
    return found


def _placeholder_problem(entry: Any) -> str | None:
    def names(counter: Counter[str]) -> set[str]:
        return set(counter)

    source = placeholders(entry.msgid, entry.flags)
    if entry.msgid_plural:
        source_plural = placeholders(entry.msgid_plural, entry.flags)
        allowed = names(source) | names(source_plural)
        required = names(source) & names(source_plural)
        for index, text in sorted(entry.msgstr_plural.items()):
            if not text:
                continue
            got = names(placeholders(text, entry.flags))
            if not got <= allowed or not required <= got:
                return f"placeholders differ in msgstr[{index}]: {sorted(got)} vs {sorted(allowed)}"
        return None
    if not entry.msgstr:
        return None
    target = placeholders(entry.msgstr, entry.flags)
    named_source = {k for k in source if k.startswith(("%(", "{"))}
    named_target = {k for k in target if k.startswith(("%(", "{"))}
    positional_source = sorted(k for k in source.elements() if not k.startswith(("%(", "{")))
    positional_target = sorted(k for k in target.elements() if not k.startswith(("%(", "{")))
    if named_source != named_target or positional_source != positional_target:
        return f"placeholders differ: {sorted(source)} vs {sorted(target)}"
    return None


def _compiled(po: Any) -> dict[Key, Any]:
    """What msgfmt puts in the .mo: translated, non-fuzzy, non-obsolete entries (the header aside)."""
    result: dict[Key, Any] = {}
    for entry in po:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgid or not entry.translated():
            continue
        if entry.msgid_plural:
            result[key(entry)] = (entry.msgid_plural, tuple(v for _, v in sorted(entry.msgstr_plural.items())))
        else:
            result[key(entry)] = entry.msgstr
    return result


def _from_mo(mo: Any) -> dict[Key, Any]:
    result: dict[Key, Any] = {}
    for entry in mo:
        if not entry.msgid:
            continue
        if entry.msgid_plural:
            result[key(entry)] = (entry.msgid_plural, tuple(v for _, v in sorted(entry.msgstr_plural.items())))
        else:
            result[key(entry)] = entry.msgstr
    return result


def check_app(app: App) -> list[Problem]:
    import polib

    problems: list[Problem] = []
    sources = source_msgids(app)
    for locale in LOCALES:
        path = app.po_path(locale)
        if not path.exists():
            problems.append(Problem(app.name, locale, "", f"no catalogue at {path}; run manage.py update_messages"))
            continue
        try:
            po = polib.pofile(str(path))
        except (OSError, ValueError) as exc:
            problems.append(Problem(app.name, locale, "", f"unreadable catalogue: {exc}"))
            continue
        entries = {key(e): e for e in po if not e.obsolete}
        for missing in sorted(set(sources) - set(entries)):
            problems.append(Problem(app.name, locale, missing[1], "in the sources but not in the catalogue"))
        for entry_key, entry in sorted(entries.items()):
            msgid = entry_key[1]
            if locale == "zh_Hans":
                if "fuzzy" in entry.flags:
                    problems.append(Problem(app.name, locale, msgid, "fuzzy translation"))
                elif not entry.translated():
                    problems.append(Problem(app.name, locale, msgid, "no translation"))
            elif not entry.translated():
                problems.append(Problem(app.name, locale, msgid, "empty msgstr"))
            reason = _placeholder_problem(entry)
            if reason:
                problems.append(Problem(app.name, locale, msgid, reason))
        mo_path = path.with_suffix(".mo")
        if not mo_path.exists():
            problems.append(Problem(app.name, locale, "", f"{mo_path.name} is missing; run manage.py update_messages"))
            continue
        try:
            compiled = _from_mo(polib.mofile(str(mo_path)))
        except (OSError, ValueError) as exc:
            problems.append(Problem(app.name, locale, "", f"unreadable {mo_path.name}: {exc}"))
            continue
        if compiled != _compiled(po):
            problems.append(Problem(app.name, locale, "", f"{mo_path.name} is stale; run manage.py update_messages"))
    return problems
