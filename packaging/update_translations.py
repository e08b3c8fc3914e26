"""Regenerate the interface catalogues: lupdate over the package's sources, then lrelease.

    .venv/bin/python packaging/update_translations.py

For each language in LANGUAGES, ``nanobanana_desktop/translations/nanobanana_XX.ts`` (the
source of truth, committed) gains every string the code marks for translation — ``tr()``,
``QCoreApplication.translate()``, ``QT_TRANSLATE_NOOP()`` and ``translatable()`` (the
templates the api/engine layers declare in English, nanobanana_desktop/messages.py) with
literal text — as an unfinished entry, and loses the strings the code no longer has.
Translate the unfinished ones (Qt Linguist: ``pyside6-linguist``, or by hand in the XML),
run this again, and it compiles each .ts to the .qm the app loads (committed too, so a
checkout and the wheel work without the Qt tools). It exits 1 while an entry is unfinished;
tests/test_translations_catalogue.py fails CI the same way.

No source locations are written: every edit elsewhere would otherwise move line numbers
in the .ts and make it look out of date when it is not.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "nanobanana_desktop"
CATALOGUES = PACKAGE / "translations"
LANGUAGES = ("nl",)
SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    comment: str  # the disambiguation, e.g. tr(" s", "seconds")
    translations: tuple[str, ...]  # one, or one per plural form
    unfinished: bool


def ts_path(language: str) -> Path:
    return CATALOGUES / f"nanobanana_{language}.ts"


def qm_path(language: str) -> Path:
    return CATALOGUES / f"nanobanana_{language}.qm"


def sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def tool(name: str) -> str:
    """pyside6-lupdate or pyside6-lrelease: beside this Python first (a venv), else PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install PySide6 in this Python's environment")
    return found


def extract(ts: Path, language: str, files: list[Path] | None = None) -> None:
    """Update ``ts`` (created if missing) with the strings ``files`` (by default, the
    package's sources) mark today."""
    with tempfile.TemporaryDirectory() as scratch:
        listing = Path(scratch) / "sources.lst"
        chosen = sources() if files is None else files
        listing.write_text("\n".join(str(p) for p in chosen) + "\n", "utf-8")
        subprocess.run(  # noqa: S603  (our own command)
            [
                tool("pyside6-lupdate"),
                "-silent",
                "-no-obsolete",
                "-locations",
                "none",
                # translatable("Context", "text") reads like QT_TRANSLATE_NOOP to lupdate.
                "-tr-function-alias",
                "QT_TRANSLATE_NOOP+=translatable",
                "-source-language",
                SOURCE_LANGUAGE,
                "-target-language",
                language,
                f"@{listing}",
                "-ts",
                str(ts),
            ],
            check=True,
            capture_output=True,
            text=True,
        )


def compile_catalogue(ts: Path, qm: Path) -> None:
    subprocess.run(  # noqa: S603  (our own command)
        [tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)],
        check=True,
        capture_output=True,
        text=True,
    )


def messages(ts: Path) -> list[Message]:
    found = []
    for context in ET.parse(ts).getroot().iter("context"):  # noqa: S314  (our own file)
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None, f"{ts}: a message without <translation>"
            forms = translation.findall("numerusform")
            texts = tuple(f.text or "" for f in forms) if forms else (translation.text or "",)
            found.append(
                Message(
                    context=name,
                    source=message.findtext("source", ""),
                    comment=message.findtext("comment", ""),
                    translations=texts,
                    unfinished=translation.get("type") is not None,  # unfinished, vanished
                )
            )
    return found


def unfinished(found: list[Message]) -> list[Message]:
    return [m for m in found if m.unfinished or not all(t.strip() for t in m.translations)]


def main() -> int:
    status = 0
    for language in LANGUAGES:
        ts = ts_path(language)
        extract(ts, language)
        found = messages(ts)
        todo = unfinished(found)
        compile_catalogue(ts, qm_path(language))
        print(f"{ts.relative_to(ROOT)}: {len(found)} strings, {len(todo)} unfinished")
        for message in todo:
            print(f"  [{message.context}] {message.source!r}")
        if todo:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
