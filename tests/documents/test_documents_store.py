"""The documents database (real SQLite in tmp_path): manual codings keep their coder and survive re-coding."""

from __future__ import annotations

import pytest

from diaspora_observatory import load_case
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.store import DocumentExists, DocumentStore, PassageInvalid
from diaspora_observatory.documents.workspace import Workspace

TEXT = "Repatriates get quotas. The embassy keeps a consular register."


def make(document_id="press-1", text=TEXT, **extra):
    return Document(document_id=document_id, title="Item", kind="press", date="2024-03-01", language="en", text=text,
                    **extra)


def test_import_codes_and_manual_coding_survives_recoding(data_dir):
    space = Workspace(load_case(), data_dir)
    assert space.import_document(make()) == 4
    passage_id = space.store.add_manual("press-1", "diaspora_actor", "A. B.", 24, 62, space.codebook.names)
    space.code("press-1")
    stored = space.store.passages("press-1")
    assert list(stored["coder"]).count("auto") == 4
    manual = stored[stored["coder"] == "A. B."].iloc[0]
    assert (manual["id"], manual["code"], manual["start"], manual["end"], manual["text"]) == (
        passage_id, "diaspora_actor", 24, 62, "The embassy keeps a consular register.")
    # a second store on the same file sees the same data: it is on disk, not in memory
    assert len(DocumentStore(space.case.name, data_dir).passages()) == 5


def test_duplicate_id_refused_unless_replaced(data_dir):
    store = DocumentStore("case", data_dir)
    store.add_document(make())
    with pytest.raises(DocumentExists, match="already stored"):
        store.add_document(make())
    store.add_document(make(text="New text."), replace=True)
    assert store.get("press-1").text == "New text."


@pytest.mark.parametrize(("code", "coder", "start", "end", "message"), [
    ("diaspora_actor", "AB", 10, 999, "outside document"),
    ("diaspora_actor", "AB", 10, 10, "outside document"),
    ("no_such_code", "AB", 0, 5, "not in the codebook"),
    ("diaspora_actor", "  ", 0, 5, "coder name must have"),
    ("diaspora_actor", "auto", 0, 5, "reserved for automatic coding"),
])
def test_invalid_manual_codings(data_dir, code, coder, start, end, message):
    store = DocumentStore("case", data_dir)
    store.add_document(make())
    with pytest.raises(PassageInvalid, match=message):
        store.add_manual("press-1", code, coder, start, end, ["diaspora_actor"])
    assert store.passages().empty


def test_delete_passage_only_removes_manual_ones(data_dir):
    space = Workspace(load_case(), data_dir)
    space.import_document(make())
    manual = space.store.add_manual("press-1", "tourism", "AB", 0, 5)
    auto_id = int(space.store.passages(coder="auto")["id"].iloc[0])
    space.store.delete_passage(auto_id)
    space.store.delete_passage(manual)
    assert list(space.store.passages()["coder"]) == ["auto"] * 4


def test_every_write_raises_the_version_even_when_counts_and_ids_come_back(data_dir):
    """Caches of the coding pages compare the store's version. Deleting the last passage and coding another
    gives the same count and (SQLite reuses the highest id plus one) the same highest id, so a version made
    of counts and ids stayed the same and the index kept showing the deleted passage."""
    space = Workspace(load_case(), data_dir)
    space.import_document(make())
    seen = [space.version()]
    first = space.store.add_manual("press-1", "diaspora_actor", "A. B.", 24, 62, space.codebook.names)
    seen.append(space.version())
    assert space.store.delete_passage(first)
    seen.append(space.version())
    second = space.store.add_manual("press-1", "employment_quotas", "A. B.", 0, 23, space.codebook.names)
    assert second == first  # the id the deleted passage had: why counts and ids could not tell
    seen.append(space.version())
    assert not space.store.delete_passage(first + 100)  # nothing deleted, nothing changed
    seen.append(space.version())
    space.code("press-1")
    seen.append(space.version())
    space.store.add_document(make(text="New text."), replace=True)
    seen.append(space.version())
    space.store.delete("press-1")
    seen.append(space.version())
    assert seen[4] == seen[3]
    del seen[4]
    assert len(set(seen)) == len(seen), seen
    # another process's store on the same file reads the same version (the counter is in the database)
    assert DocumentStore(space.case.name, data_dir).version() == space.store.version()


def test_a_refusal_names_ten_ids_and_counts_the_rest():
    from diaspora_observatory.documents.store_schema import already_stored

    assert already_stored({"a"}) == "a document with id 'a' is already stored"
    assert already_stored({"b", "a"}) == "already stored: a, b"
    ids = {f"item-{n:04}" for n in range(4000)}
    assert already_stored(ids) == f"already stored: {', '.join(f'item-{n:04}' for n in range(10))} and 3,990 more"
