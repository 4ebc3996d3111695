"""The codebook: codes with a parent, a description and search patterns per language (en, ru, kk), read
from a file by :func:`load_codebook` (the codes themselves and their rules are in ``codebook_model.py``,
imported here so that ``Codebook`` and ``Code`` are found here too).

The default codebook (``codebook.yaml`` beside this module) is written from the built-in study's themes.
A user codebook is a YAML file of the same shape, a CSV with the columns
``code, parent, description, patterns_en, patterns_ru, patterns_kk`` (patterns separated by ``;``), or a
REFI-QDA codebook (``.qdc``, see :mod:`~diaspora_observatory.documents.qdc`), whose codes carry no
patterns unless their descriptions hold them.

A codebook with no patterns for a language does not code texts in that language: :func:`not_coded` says
why, and the document is stored uncoded rather than matched against another language's patterns.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from diaspora_observatory.csv_guard import CsvDictRows, CsvRefused
from diaspora_observatory.documents.codebook_model import LANGUAGES, Code, Codebook, CodebookInvalid
from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.languages import listed

DEFAULT_CODEBOOK = Path(__file__).resolve().parent / "codebook.yaml"


class LanguageNotCoded(DiasporaError):
    """A text in a language the codebook has no patterns for: it is stored, but not coded automatically."""


def alphabet_not_told() -> LanguageNotCoded:
    """Kazakh in Latin letters with none of the letters that tell its alphabet, and none given."""
    return LanguageNotCoded("not coded: the text is Kazakh in Latin letters, and none of its letters tells whether "
                            "it is the 2017, 2018 or 2021 alphabet (i, ı and u are different letters in each)",
                            "give it with --alphabet 2017, 2018 or 2021 and import again with --replace "
                            "(docs/documents.md tells the alphabets apart)")


def not_coded(book: Codebook, language: str) -> LanguageNotCoded:
    """Why ``book`` cannot code a text in ``language``, as an error to raise or to report."""
    from diaspora_observatory.documents.language import LANGUAGE_NAMES

    name = f"{LANGUAGE_NAMES.get(language, language)} ({language})"
    if not book.pattern_languages:
        origin = " (a REFI-QDA codebook carries none)" if book.origin == "REFI-QDA" else ""
        return LanguageNotCoded(f"not coded: codebook {book.name!r} has no search patterns{origin}",
                                "code the documents by hand in the web app, or give a codebook with patterns "
                                "(.yaml, .csv, or a .qdc whose code descriptions hold them; see docs/documents.md)")
    if language == "und":
        return LanguageNotCoded("not coded: the language could not be determined",
                                f"give it with --language ({', '.join(book.pattern_languages)}) and import again "
                                "with --replace, or code the document by hand")
    if language not in LANGUAGES:
        return LanguageNotCoded(f"not coded: the text is in {name}, and automatic coding has patterns for "
                                f"{', '.join(book.pattern_languages)} only",
                                "code it by hand in the web app; if the language was mis-detected, give it with "
                                "--language and import again with --replace")
    return LanguageNotCoded(f"not coded: codebook {book.name!r} has no patterns for {name}",
                            f"add patterns_{language} to the codebook, or code the document by hand")


def _patterns(raw: object, where: str) -> dict[str, tuple[str, ...]]:
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise CodebookInvalid(f"{where}: patterns must map a language ({listed()}) to a list of patterns")
    result = {}
    for language, items in raw.items():
        if isinstance(items, str):
            items = [p for p in items.split(";")]
        result[str(language)] = tuple(str(p).strip() for p in items or [] if str(p).strip())
    return result


def _from_yaml(path: Path) -> Codebook:
    import yaml

    try:
        # libyaml's loader where PyYAML has it: the same data as SafeLoader, a tenth of the time
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise CodebookInvalid(f"{path.name}{where} is not valid YAML", "fix the YAML syntax") from None
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise CodebookInvalid(f"{path.name} has no list of codes", "write a top-level 'codes:' list")
    codes = []
    for index, entry in enumerate(data["codes"], start=1):
        if not isinstance(entry, dict) or not entry.get("code"):
            raise CodebookInvalid(f"{path.name}, code number {index}: missing 'code'", "every entry needs a code name")
        codes.append(Code(str(entry["code"]), str(entry.get("parent") or ""), str(entry.get("description") or ""),
                          _patterns(entry.get("patterns"), f"{path.name}, code {entry['code']!r}")))
    return Codebook(str(data.get("name") or path.stem), str(data.get("title") or path.stem), tuple(codes))


def _from_csv(path: Path) -> Codebook:
    try:
        return _read_csv(path)
    except CsvRefused as error:
        raise CodebookInvalid(error.message, error.hint) from None
    except UnicodeDecodeError:
        raise CodebookInvalid(f"{path.name} is not UTF-8 text", "save the codebook as CSV UTF-8") from None


def _read_csv(path: Path) -> Codebook:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = CsvDictRows(handle, path.name)
        if not reader.fieldnames or "code" not in reader.fieldnames:
            raise CodebookInvalid(f"{path.name} has no 'code' column",
                                  "columns: code, parent, description, patterns_en, patterns_ru, patterns_kk")
        codes = []
        for row in reader:
            if not (row.get("code") or "").strip():
                raise CodebookInvalid(f"{path.name} row {reader.line_num}, column code: empty", "give every row a code")
            patterns = {lang: row.get(f"patterns_{lang}") or "" for lang in LANGUAGES}
            codes.append(Code(row["code"].strip(), (row.get("parent") or "").strip(),
                              (row.get("description") or "").strip(),
                              _patterns(patterns, f"{path.name} row {reader.line_num}")))
    return Codebook(path.stem, path.stem, tuple(codes))


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read a codebook from YAML, CSV or REFI-QDA (.qdc); without a path, the default diaspora-policy codebook.

    The same unchanged file gives the same Codebook object, so its compiled matcher is reused.
    """
    path = Path(path).resolve() if path else DEFAULT_CODEBOOK
    if not path.is_file():
        raise CodebookInvalid(f"no codebook file at {path}", "give the path of a .yaml, .csv or .qdc codebook")
    stat = path.stat()
    return _load_cached(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _load_cached(path: Path, mtime_ns: int, size: int) -> Codebook:
    if path.suffix.lower() == ".csv":
        return _from_csv(path)
    if path.suffix.lower() == ".qdc":
        from diaspora_observatory.documents.qdc import read_qdc

        return read_qdc(path)
    return _from_yaml(path)
