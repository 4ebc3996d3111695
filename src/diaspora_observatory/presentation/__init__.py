"""The one presentation layer: how a value reads, in the reader's language, wherever it is printed.

The CLI (``tabular.py``), the web pages (``web/cells.py``, ``web/i18n.py``) and the report
(``report/build.py``) all format numbers here, so the same value prints as the same string in a terminal,
a browser and a PDF. Data files (CSV, JSON) keep the raw machine values and never pass through it.

- ``kinds``: what a column holds (people, a share, a p-value, a year…), from its name or its row's unit;
- ``numbers``: a value of a kind written with CLDR's signs for ``en``, ``ru`` and ``kk`` (Babel);
- ``citations``: a figure's source line (short citations), for the web pages and the report alike.
"""

from diaspora_observatory.presentation.kinds import column_kind
from diaspora_observatory.presentation.numbers import (
    format_number,
    format_percent,
    format_range,
    format_value,
    p_value_phrase,
    p_value_text,
)

__all__ = ["column_kind", "format_number", "format_percent", "format_range", "format_value", "p_value_phrase",
           "p_value_text"]
