"""Diaspora Observatory: a toolkit for studying a diaspora and its migration.

>>> from diaspora_observatory import load_case
>>> case = load_case()            # the built-in Kazakh diaspora in Central Asia
>>> case.name
'kazakh-central-asia'
"""

from diaspora_observatory.case.package import Case, list_cases, load_case
from diaspora_observatory.errors import DiasporaError

__version__ = "0.1.0"
__all__ = ["Case", "DiasporaError", "list_cases", "load_case", "__version__"]
