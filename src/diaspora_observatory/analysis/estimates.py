"""Migration flows estimated from two stock tables (people born in an origin living in a destination at
two dates). Every result carries its ``method`` and ``assumptions`` columns, because a flow estimated from
stocks is only as good as the assumptions that turn a change in stock into a number of movers.

- ``stock_differencing``: the flow over the period is the change in stock. A fall in stock is either
  dropped (``negatives="drop"``: no flow) or read as people returning (``negatives="returns"``).
- ``rates_method``: the stock at the start shrinks by annual death and return rates; what the end stock
  has beyond the survivors who stayed is the inflow of new migrants; the returns come from the same rates.
"""

from __future__ import annotations

import pandas as pd

KEYS = ["origin", "destination"]
ESTIMATE_COLUMNS = ["origin", "destination", "year_from", "year_to", "stock_start", "stock_end", "inflow",
                    "returns", "deaths", "flagged", "method", "assumptions"]

DIFFERENCING_ASSUMPTIONS = {
    "drop": ("The change in stock equals the net number of migrants; nobody in the stock died or left during the "
             "period; a fall in stock is not a flow and is set to zero (flagged)."),
    "returns": ("The change in stock equals the net number of migrants; nobody in the stock died during the "
                "period; a fall in stock is read as that many people returning to the origin (flagged)."),
}
RATES_ASSUMPTIONS = (
    "Members of the starting stock die at an annual rate of {mortality:g} and return at an annual rate of "
    "{return_rate:g}, constant over the {years}-year period; migrants arriving during the period neither die nor "
    "return before its end; the inflow is the end stock minus the survivors of the start stock who stayed "
    "(a negative inflow is set to zero and flagged).")


def _paired(stock_start: pd.DataFrame, stock_end: pd.DataFrame, value: str) -> pd.DataFrame:
    for name, table in (("stock_start", stock_start), ("stock_end", stock_end)):
        missing = [c for c in [*KEYS, value] if c not in table.columns]
        if missing:
            raise ValueError(f"{name} lacks the column(s) {', '.join(missing)}")
    merged = stock_start[[*KEYS, value]].merge(stock_end[[*KEYS, value]], on=KEYS, how="outer",
                                                suffixes=("_start", "_end"))
    # A pair absent from one table had no stock there (UN DESA lists only pairs with people in them).
    merged = merged.fillna({f"{value}_start": 0, f"{value}_end": 0})
    return merged.rename(columns={f"{value}_start": "stock_start", f"{value}_end": "stock_end"})


def stock_differencing(stock_start: pd.DataFrame, stock_end: pd.DataFrame, *, year_from: int, year_to: int,
                       negatives: str = "drop", value: str = "stock") -> pd.DataFrame:
    """Flows between two stock tables (columns ``origin``, ``destination``, ``value``) by differencing.

    ``inflow`` = max(end − start, 0). With ``negatives="drop"`` a fall gives ``returns`` 0; with
    ``negatives="returns"`` it gives ``returns`` = start − end. ``deaths`` is 0 (ignored by the method);
    ``flagged`` marks pairs whose stock fell. Columns ``ESTIMATE_COLUMNS``.

    >>> start = pd.DataFrame({"origin": ["KAZ"], "destination": ["RUS"], "stock": [100]})
    >>> end = pd.DataFrame({"origin": ["KAZ"], "destination": ["RUS"], "stock": [80]})
    >>> int(stock_differencing(start, end, year_from=2020, year_to=2024, negatives="returns")["returns"][0])
    20
    """
    if negatives not in DIFFERENCING_ASSUMPTIONS:
        raise ValueError(f"negatives must be 'drop' or 'returns', not {negatives!r}")
    table = _paired(stock_start, stock_end, value)
    change = table["stock_end"] - table["stock_start"]
    table["inflow"] = change.clip(lower=0)
    table["returns"] = (-change).clip(lower=0) if negatives == "returns" else 0
    table["deaths"] = 0
    table["flagged"] = change < 0
    table["year_from"], table["year_to"] = year_from, year_to
    table["method"] = f"stock differencing, negatives {'dropped' if negatives == 'drop' else 'reversed as returns'}"
    table["assumptions"] = DIFFERENCING_ASSUMPTIONS[negatives]
    return table[ESTIMATE_COLUMNS].sort_values(KEYS).reset_index(drop=True)


def rates_method(stock_start: pd.DataFrame, stock_end: pd.DataFrame, *, year_from: int, year_to: int,
                 mortality: float, return_rate: float, value: str = "stock") -> pd.DataFrame:
    """Flows between two stock tables by the rates method.

    Over ``T = year_to − year_from`` years the start stock ``S0`` keeps ``S0·(1 − m − r)^T`` people
    (``m`` = ``mortality``, ``r`` = ``return_rate``, both annual); the ``S0 − S0·(1 − m − r)^T`` who left
    it are split into ``deaths`` and ``returns`` in the ratio m : r; ``inflow`` = ``S1 − S0·(1 − m − r)^T``.
    Columns ``ESTIMATE_COLUMNS``.

    >>> start = pd.DataFrame({"origin": ["KAZ"], "destination": ["RUS"], "stock": [1000]})
    >>> end = pd.DataFrame({"origin": ["KAZ"], "destination": ["RUS"], "stock": [1100]})
    >>> round(float(rates_method(start, end, year_from=2019, year_to=2024, mortality=0.01,
    ...                          return_rate=0.04)["inflow"][0]), 2)
    326.22
    """
    years = year_to - year_from
    if years <= 0:
        raise ValueError(f"year_to ({year_to}) must be after year_from ({year_from})")
    if mortality < 0 or return_rate < 0 or mortality + return_rate >= 1:
        raise ValueError("mortality and return_rate must be non-negative annual rates adding up to less than 1")
    table = _paired(stock_start, stock_end, value)
    stayers = table["stock_start"] * (1 - mortality - return_rate) ** years
    leavers = table["stock_start"] - stayers
    leaving_rate = mortality + return_rate
    table["deaths"] = leavers * (mortality / leaving_rate) if leaving_rate else 0.0
    table["returns"] = leavers * (return_rate / leaving_rate) if leaving_rate else 0.0
    inflow = table["stock_end"] - stayers
    table["inflow"] = inflow.clip(lower=0)
    table["flagged"] = inflow < 0
    table["year_from"], table["year_to"] = year_from, year_to
    table["method"] = "rates method"
    table["assumptions"] = RATES_ASSUMPTIONS.format(mortality=mortality, return_rate=return_rate, years=years)
    return table[ESTIMATE_COLUMNS].sort_values(KEYS).reset_index(drop=True)


def stock_flows(case, *, negatives: str = "drop") -> pd.DataFrame:
    """Stock differencing over each pair of consecutive years of the case's ``birthplace_stock`` (both
    sexes). Empty when the case has fewer than two years of stock (the built-in case has only 2024).

    Where the stock names its ``edition``, only years of the same edition are differenced: an edition
    revises the earlier years, so a change between two editions would mix a revision with migration.
    """
    if "birthplace_stock" not in case.resource_names:
        return pd.DataFrame(columns=ESTIMATE_COLUMNS)
    stock = case.table("birthplace_stock")
    stock = stock[stock["sex"] == "both"]
    editions = stock.groupby("edition") if "edition" in stock.columns else [("", stock)]
    frames = []
    for edition, rows in editions:
        years = sorted(rows["year"].unique())
        for start, end in zip(years, years[1:]):
            frame = stock_differencing(rows[rows["year"] == start], rows[rows["year"] == end], year_from=int(start),
                                       year_to=int(end), negatives=negatives)
            if edition:
                frame["assumptions"] = frame["assumptions"] + f" Both stocks from UN DESA's {edition} edition."
            frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=ESTIMATE_COLUMNS)
