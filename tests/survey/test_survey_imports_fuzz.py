"""Random mutations of the real ODK Central exports (and of the KoboToolbox fixtures) fed to the importer: every outcome is a clean import
or a clear refusal (ResponsesImportError naming the file), never a traceback, and never a half-stored
import — the stored answers are either exactly as before or before plus what the summary counts."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_survey_imports import KOBO_LABELS, KOBO_NAMES, ODK_EXPORTS, needs_odk, odk_forms, wave_form

from diaspora_observatory.survey.errors import ResponsesImportError
from diaspora_observatory.survey.imports import import_responses
from diaspora_observatory.survey.validation import validate_answers

# Bytes that matter to a CSV reader and to the importer: delimiters, quotes, line ends, NUL, a byte that
# is not UTF-8, the HXL mark, group and choice separators, digits and letters of ids and answers.
PIECES = [b",", b";", b'"', b"\n", b"\r\n", b"\x00", b"\xff", b"#", b"/", b"-", b" ", b"0", b"1", b"a", b"z",
          b"uuid:", b"one", b"two", b"\xd0\x96", b"\t", b"x" * 200]


@st.composite
def mutated(draw, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["delete", "insert", "replace_line", "duplicate_line", "drop_line",
                                       "swap_lines", "truncate", "cell"]))
        lines = bytes(data).split(b"\n")
        if action in ("delete", "insert", "truncate") and data:
            at = draw(st.integers(0, len(data) - 1))
            if action == "delete":
                del data[at:at + draw(st.integers(1, 8))]
            elif action == "insert":
                data[at:at] = b"".join(draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=4)))
            else:
                del data[at:]
        elif action in ("replace_line", "duplicate_line", "drop_line", "swap_lines", "cell") and lines:
            index = draw(st.integers(0, len(lines) - 1))
            if action == "duplicate_line":
                lines.insert(index, lines[index])
            elif action == "drop_line":
                del lines[index]
            elif action == "swap_lines":
                other = draw(st.integers(0, len(lines) - 1))
                lines[index], lines[other] = lines[other], lines[index]
            elif action == "replace_line":
                lines[index] = b"".join(draw(st.lists(st.sampled_from(PIECES), max_size=6)))
            else:
                cells = lines[index].split(b",")
                cell = draw(st.integers(0, len(cells) - 1))
                cells[cell] = b"".join(draw(st.lists(st.sampled_from(PIECES), max_size=3)))
                lines[index] = b",".join(cells)
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def snapshot(store, slug):
    return [(row["submission_id"], row["answers"], row["origin"]) for row in store.responses(slug)]


@needs_odk
@pytest.mark.parametrize("name", sorted(odk_forms()))
def test_mutated_real_exports_import_cleanly_or_are_refused_whole(store, tmp_path, name):
    check_mutations(store, tmp_path, odk_forms()[name], name, (ODK_EXPORTS / name).read_bytes(), "odk")


@pytest.mark.parametrize("name", ["kobo_labels.csv", "kobo_names.csv"])
def test_mutated_kobo_layouts_import_cleanly_or_are_refused_whole(store, tmp_path, name):
    """The same for the KoboToolbox fixtures (labels with the HXL row and split columns; names with groups)."""
    text = KOBO_LABELS if name == "kobo_labels.csv" else KOBO_NAMES
    check_mutations(store, tmp_path, wave_form(tmp_path), name, text.encode(), "kobo")


def check_mutations(store, tmp_path, form, name, original: bytes, export_format: str) -> None:
    store.add_survey("odk", form)
    (tmp_path / name).write_bytes(original)
    import_responses(store, "odk", tmp_path / name, export_format)  # so that mutated rows meet stored ids
    outcomes = {"imported": 0, "refused": 0}

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=mutated(original), replace=st.booleans())
    def check(data, replace):
        path = tmp_path / name
        path.write_bytes(data)
        before = snapshot(store, "odk")
        try:
            summary = import_responses(store, "odk", path, export_format, replace=replace)
        except ResponsesImportError as error:
            assert error.message.startswith((f"{name}", "--map")), error.message
            assert error.hint
            assert snapshot(store, "odk") == before  # nothing half-stored
            outcomes["refused"] += 1
            return
        after = snapshot(store, "odk")
        assert len(after) == len(before) + summary.stored
        assert summary.stored + summary.already_stored + summary.replaced + \
            sum(reason != "HXL hashtags (#…) under the header, not an answer" for _, reason in summary.skipped) \
            == summary.read
        kept = {submission_id for submission_id, _, _ in before}
        for submission_id, answers, _ in after:
            assert validate_answers(form, answers) == answers
            if not replace:
                assert submission_id not in kept or (submission_id, answers) in [(s, a) for s, a, _ in before]
        outcomes["imported"] += 1

    check()
    # Both outcomes were met, so the test exercised storing and refusing.
    assert outcomes["imported"] and outcomes["refused"], outcomes
