"""The Case: a study's data package, read, typed and validated, with its tables as DataFrames."""

from __future__ import annotations

import html
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from diaspora_observatory.case.check_params import parameter_issues
from diaspora_observatory.case.checks import CHECKS, NEEDS_DESCRIPTOR, PARAMETERS
from diaspora_observatory.case.descriptor import resource_issues
from diaspora_observatory.case.provenance import checksum_issues
from diaspora_observatory.case.schema import foreign_key_issues, read_resource
from diaspora_observatory.case.transaction import locked, pending, recover, restore_aside, swap_into_place
from diaspora_observatory.errors import CaseInvalid, CaseNotFound, DataIssue, DiasporaError

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_CASE = "kazakh-central-asia"
EMBEDDED_CASES = Path(__file__).resolve().parent.parent / "cases"


class BuiltinCaseReadOnly(DiasporaError):
    """A write into a case that ships inside the installed package."""


def user_data_dir() -> Path:
    """Where imported and user cases live: ``$DIASPORA_DATA_DIR`` or the platform's user-data folder."""
    configured = os.environ.get("DIASPORA_DATA_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "diaspora-observatory"


def _case_folders(data_dir: Path | None = None) -> dict[str, Path]:
    folders: dict[str, Path] = {}
    for root in (EMBEDDED_CASES, (data_dir or user_data_dir()) / "cases"):
        if root.is_dir():
            for child in sorted(root.iterdir()):
                if (child / "datapackage.json").is_file():
                    folders.setdefault(child.name, child)
    return folders


def list_cases(data_dir: Path | None = None) -> list[dict]:
    """The cases available: embedded ones first, then those in the user data folder."""
    result = []
    for name, folder in _case_folders(data_dir).items():
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        result.append({"name": name, "title": descriptor.get("title", name),
                       "embedded": folder.parent == EMBEDDED_CASES, "path": str(folder)})
    return result


@dataclass
class Case:
    """A study loaded from its data package.

    ``rows`` holds the typed rows of each resource; ``table(name)`` gives them as a DataFrame;
    ``issues`` lists every data error found by the schema and the package's named checks.
    """

    name: str
    path: Path
    descriptor: dict
    rows: dict[str, list[dict]] = field(repr=False)
    issues: list[DataIssue] = field(repr=False)
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key: tuple, compute):
        """``compute()`` once per key for this case; analyses call each other often (claims, report).

        A case is read-only once loaded; code that edits ``rows`` in place must call ``forget()``.
        DataFrames come back as copies so that a caller's edits cannot leak into the cache: shallow ones
        where pandas copies on write (pandas 3: an edit of a shallow copy copies the data it changes, never
        writing into the frame it shares them with), so that a report's 270 copies of small tables copy no
        data; deep ones with an older pandas.
        """
        if key not in self._memo:
            self._memo[key] = compute()
        value = self._memo[key]
        if _copies_on_write(value):
            return value.copy(deep=False)
        return value.copy() if hasattr(value, "copy") else value

    def forget(self) -> None:
        """Drop memoised analysis results (after editing ``rows``)."""
        self._memo.clear()

    @property
    def title(self) -> str:
        return self.descriptor.get("title", self.name)

    def title_in(self, language: str) -> str:
        """The title in ``language`` (the descriptor's optional ``titles``: {"ru": …, "kk": …}), else ``title``."""
        return (self.descriptor.get("titles") or {}).get(language) or self.title

    @property
    def text_language(self) -> str:
        """The language the package's free texts (its ``note`` columns, source notes) are written in: the
        descriptor's ``diaspora.text_language``, else English, the language the built-in case, the importers
        and ``diaspora case new`` write them in. Pages in another language mark them as this one's."""
        declared = self.diaspora.get("text_language")
        return declared if isinstance(declared, str) and declared else "en"

    @property
    def diaspora(self) -> dict:
        """The diaspora's definition: origin, hosts, definition (ethnicity, birthplace, citizenship)."""
        return self.descriptor.get("diaspora", {})

    @property
    def origin(self) -> str:
        return self.diaspora["origin"]

    @property
    def hosts(self) -> list[str]:
        return list(self.diaspora.get("hosts", []))

    @property
    def resource_names(self) -> list[str]:
        return [r["name"] for r in self.descriptor["resources"]]

    def resource(self, name: str) -> dict:
        for resource in self.descriptor["resources"]:
            if resource["name"] == name:
                return resource
        raise KeyError(name)

    def has(self, name: str) -> bool:
        return bool(self.rows.get(name))

    def table(self, name: str) -> pd.DataFrame:
        """The resource's rows as a DataFrame with the schema's columns (without the row numbers); built once
        per resource (a report asks 66 times), a copy each time."""
        return self.memo(("table", name), lambda: self._table(name))

    def _table(self, name: str) -> pd.DataFrame:
        import pandas as pd

        columns = [f["name"] for f in self.resource(name)["schema"]["fields"]]
        return pd.DataFrame([{k: v for k, v in r.items() if k != "_row"} for r in self.rows.get(name, [])],
                            columns=columns)

    @cached_property
    def sources(self) -> dict[str, dict]:
        """The bibliography, by ``source_id``."""
        return {r["source_id"]: {k: v for k, v in r.items() if k != "_row"} for r in self.rows.get("sources", [])}

    @property
    def errors(self) -> list[DataIssue]:
        """The issues of severity ``error`` (warnings are findings, not errors)."""
        return [issue for issue in self.issues if issue.severity == "error"]

    @property
    def warnings(self) -> list[DataIssue]:
        return [issue for issue in self.issues if issue.severity == "warning"]

    def require_valid(self) -> Case:
        """Return the case, or raise CaseInvalid when it has data errors (warnings are allowed)."""
        errors = self.errors
        if errors:
            raise CaseInvalid(f"case {self.name!r} has {len(errors)} data error(s), first: {errors[0]}", errors)
        return self

    def _repr_html_(self) -> str:
        cells = "".join(f"<tr><td>{html.escape(r['name'])}</td><td>{html.escape(r.get('title', ''))}</td>"
                        f"<td>{len(self.rows.get(r['name'], []))}</td></tr>" for r in self.descriptor["resources"])
        return (f"<p><b>{html.escape(self.title)}</b> ({html.escape(self.name)}), {len(self.errors)} data error(s), "
                f"{len(self.warnings)} warning(s)</p>"
                f"<table><tr><th>resource</th><th>title</th><th>rows</th></tr>{cells}</table>")


def _copies_on_write(value: object) -> bool:
    """Whether ``value`` is a DataFrame or Series of a pandas that copies on write (always from pandas 3)."""
    pandas = sys.modules.get("pandas")
    if pandas is None or not isinstance(value, pandas.DataFrame | pandas.Series):
        return False
    return _pandas_copies_on_write()


@lru_cache(maxsize=1)
def _pandas_copies_on_write() -> bool:
    import pandas as pd

    return int(pd.__version__.split(".")[0]) >= 3 or pd.get_option("mode.copy_on_write") is True


def _resolve(name_or_path: str | Path | None, data_dir: Path | None) -> Path:
    if name_or_path is None:
        name_or_path = DEFAULT_CASE
    candidate = Path(name_or_path)
    if candidate.is_dir() and (candidate / "datapackage.json").is_file():
        return candidate.resolve()
    if candidate.name == "datapackage.json" and candidate.is_file():
        return candidate.parent.resolve()
    folders = _case_folders(data_dir)
    if str(name_or_path) in folders:
        return folders[str(name_or_path)]
    known = ", ".join(folders) or "none"
    raise CaseNotFound(f"no case named or found at {str(name_or_path)!r}",
                       f"known cases: {known}; give a case name or a folder holding a datapackage.json")


def is_builtin(folder: Path) -> bool:
    """Whether ``folder`` is one of the cases shipped inside the package (read-only)."""
    return Path(folder).resolve().parent == EMBEDDED_CASES.resolve()


def writable_case_folder(name_or_path: str | Path, *, data_dir: Path | None = None) -> Path:
    """The folder of a case that may be written: by name or path, never a built-in case.

    Built-in cases are the published study and are shared by every user of the installation, so a
    write into one is refused with the command that makes a user copy to write into instead.
    """
    try:
        folder = _resolve(name_or_path, data_dir)
    except CaseNotFound as error:
        raise CaseNotFound(error.message, "create one with `diaspora case new NAME --origin ISO3`, or copy one "
                           "with `diaspora case copy kazakh-central-asia NAME`") from None
    if is_builtin(folder):
        raise BuiltinCaseReadOnly(
            f"{folder.name} is a built-in case and is read-only (it ships with the observatory at {folder})",
            f"make your own copy with `diaspora case copy {folder.name} my-{folder.name}` (it goes to "
            f"{(data_dir or user_data_dir()) / 'cases'}), then import into it with --case my-{folder.name}")
    return folder


def copy_case(name_or_path: str | Path, name: str, *, data_dir: Path | None = None, force: bool = False) -> Path:
    """Copy a case (a built-in one, typically) into ``<data_dir>/cases/<name>``; return the new folder.

    The copy is made beside the target and renamed into place, so an interrupted copy leaves no case.
    """
    from diaspora_observatory.case.descriptor import RESOURCE_NAME

    if not RESOURCE_NAME.match(name) or "." in name:
        raise DiasporaError(f"{name!r} is not a usable case name",
                            "use lower-case letters, digits and hyphens, e.g. my-kazakh-central-asia")
    source = _resolve(name_or_path, data_dir)
    target = (data_dir or user_data_dir()) / "cases" / name
    restore_aside(target)
    if target.exists() and not force:
        raise DiasporaError(f"a case named {name!r} already exists at {target}", "choose another name or add --force")
    partial = target.with_name(f".{name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    _settle(source)
    with locked(source, exclusive=False):
        shutil.copytree(source, partial, ignore=shutil.ignore_patterns(".*"))
    descriptor = json.loads((partial / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["name"] = name
    (partial / "datapackage.json").write_text(json.dumps(descriptor, indent=1, ensure_ascii=False) + "\n",
                                              encoding="utf-8")
    swap_into_place(partial, target)
    return target


def load_case(name_or_path: str | Path | None = None, *, data_dir: Path | None = None) -> Case:
    """Load a case by name (``kazakh-central-asia`` by default) or by folder path.

    The case is always returned, with its data errors in ``case.issues``; call
    ``case.require_valid()`` before analysis that must not run on bad data. An update that a killed
    process left half-done is finished (or discarded) first, see ``case/transaction.py``.

    >>> load_case().hosts
    ['KGZ', 'TJK', 'TKM', 'UZB']
    """
    folder = _resolve(name_or_path, data_dir)
    _settle(folder)
    with locked(folder, exclusive=False):
        return _read_case(folder)


def _settle(folder: Path) -> None:
    """Finish or discard an update a killed process left in ``folder`` (see ``case/transaction.py``)."""
    if pending(folder):
        with locked(folder, exclusive=True):
            recover(folder)


def _read_case(folder: Path) -> Case:
    descriptor_path = folder / "datapackage.json"
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        where = f" (line {error.lineno}, column {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        raise CaseNotFound(f"{descriptor_path} is not valid JSON{where}",
                           "fix the JSON syntax of the data package descriptor") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources", []), list):
        raise CaseNotFound(f"{descriptor_path} is not a data package descriptor (an object with a list of resources)",
                           "see docs/data.md for the layout of datapackage.json")
    rows: dict[str, list[dict]] = {}
    issues: list[DataIssue] = []
    readable = []
    for position, resource in enumerate(descriptor.get("resources", [])):
        problems = resource_issues(resource, position)
        if not problems and resource["name"] in rows:
            problems = [DataIssue("descriptor", resource["name"], None, "name", "two resources have this name; "
                                  "rename one", "datapackage.json")]
        issues.extend(problems)
        if problems:
            continue
        resource_rows, resource_issues_found = read_resource(folder, resource)
        rows[resource["name"]] = resource_rows
        readable.append(resource)
        issues.extend(resource_issues_found)
    issues.extend(checksum_issues(folder, readable))
    issues.extend(foreign_key_issues({**descriptor, "resources": readable}, rows))
    issues.extend(run_checks({**descriptor, "resources": readable}, rows))
    return Case(name=descriptor.get("name", folder.name), path=folder, descriptor=descriptor, rows=rows, issues=issues)


def run_checks(descriptor: dict, rows: dict[str, list[dict]]) -> list[DataIssue]:
    """Run the named checks the descriptor lists, in order, each after its parameters are validated."""
    paths = {r["name"]: r["path"] for r in descriptor.get("resources", [])}
    resources = {r["name"]: r for r in descriptor.get("resources", [])}
    issues: list[DataIssue] = []
    checks = descriptor.get("checks", [])
    if not isinstance(checks, list):
        return [DataIssue("check_parameters", "datapackage.json", None, "checks", "checks must be a list of "
                          'objects such as {"check": "sources_resolve"}', "datapackage.json")]
    for position, spec in enumerate(checks, start=1):
        problems = parameter_issues(spec, position, PARAMETERS, resources)
        if problems:
            issues.extend(problems)
            continue
        params = {k: v for k, v in spec.items() if k != "check"}
        function = CHECKS[spec["check"]]
        if spec["check"] in NEEDS_DESCRIPTOR:
            params["descriptor"] = descriptor
        issues.extend(function(rows, paths, **params))
    return issues
