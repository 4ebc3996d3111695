"""Migration flows estimated from two stock tables by demographic accounting (flows from stocks).

The method of Abel (2013), *Estimating global migration flow tables using place of birth data*,
Demographic Research 28(18): 505–546, used by Abel & Sander (2014), *Quantifying global international
migration flows*, Science 343: 1520–1522. Two stock tables count the people born in each place
(``birthplace``) living in each place (``residence``) at the start and the end of a period. Everyone
born in a place is in both tables, apart from those who were born or died in between, so each birthplace
gives one table of moves: rows are where its people lived at the start, columns where they lived at the
end; its row totals are the start stocks and its column totals the end stocks. The method fills these
tables with the *fewest moves the two stock tables allow*: as many people as possible stay where they were
(``min(start, end)`` in each residence), and the rest are spread over the other places in proportion to
a seed (1 everywhere by default: no place preferred) by iterative proportional fitting over origin ×
destination × birthplace, which is the three-way fit of the quasi-independence log-linear model with the
start and end stocks as its margins. Summed over birthplaces, the moves are the flow table.

Births and deaths (optional, by place of residence) are taken out first: a child born in a place during
the period is born there, so it is removed from the end stock of people born and living there; the dead
are removed from the start stock of their place of residence, shared among birthplaces in proportion to
the stock. Where a birthplace's two totals still differ (the editions' revisions, people counted twice),
the end stocks of that birthplace are rescaled to its start total, and the factor is reported: that part
of the difference is treated as error, not as migration. Every result says so in its ``assumptions``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from diaspora_observatory.errors import DiasporaError

METHOD = "demographic accounting (Abel 2013; Abel & Sander 2014): minimum migration, three-way IPF"
TOLERANCE = 1e-9
MAX_ITERATIONS = 10_000


class AccountingError(DiasporaError):
    """The stock tables cannot be reconciled as the method needs (see the message)."""


@dataclass
class FlowEstimate:
    """Flows estimated from two stock tables, with the method, its assumptions and what it had to adjust."""

    by_birthplace: pd.DataFrame  # birthplace, origin, destination, flow (origin != destination, flow > 0)
    method: str
    assumptions: list[str]
    rescaled: dict[str, float] = field(default_factory=dict)  # birthplace -> factor applied to its end stocks
    iterations: int = 0

    @property
    def flows(self) -> pd.DataFrame:
        """origin, destination, flow: the moves summed over birthplaces."""
        if self.by_birthplace.empty:
            return pd.DataFrame(columns=["origin", "destination", "flow"])
        summed = self.by_birthplace.groupby(["origin", "destination"], as_index=False, sort=True)[["flow"]].sum()
        return summed.reset_index(drop=True)


def _matrix(table: pd.DataFrame, places: list[str], name: str) -> np.ndarray:
    index = {place: number for number, place in enumerate(places)}
    matrix = np.zeros((len(places), len(places)))
    for birthplace, residence, stock in table[["birthplace", "residence", "stock"]].itertuples(index=False):
        matrix[index[birthplace], index[residence]] += stock
    return matrix


def _by_residence(values: pd.Series | None, places: list[str], name: str) -> np.ndarray:
    if values is None:
        return np.zeros(len(places))
    unknown = sorted(set(values.index) - set(places))
    if unknown:
        raise AccountingError(f"the {name} name places that are in neither stock table: {', '.join(unknown)}",
                              f"give {name} only for places of the stock tables")
    return np.array([float(values.get(place, 0.0)) for place in places])


def _fit(start: np.ndarray, end: np.ndarray, seed: np.ndarray) -> tuple[np.ndarray, int]:
    """Moves y[b, i, j] with rows start[b, i], columns end[b, j], most people staying; (moves, iterations)."""
    stay = np.minimum(start, end)  # [b, i]: the most who can have stayed in i
    rows = start - stay  # who must have left i
    columns = end - stay  # who must have arrived in j
    # A residence keeps people to send or room to receive, never both (one of the two is the minimum), so the
    # movers fit in the off-diagonal cells: no one moves from a place to itself.
    off_diagonal = 1.0 - np.eye(start.shape[1])
    moves = np.broadcast_to(seed * off_diagonal, start.shape + (start.shape[1],)).copy()
    iterations = 0
    while iterations < MAX_ITERATIONS:
        iterations += 1
        row_sums = moves.sum(axis=2)
        moves *= np.divide(rows, row_sums, out=np.zeros_like(rows), where=row_sums > 0)[:, :, None]
        column_sums = moves.sum(axis=1)
        moves *= np.divide(columns, column_sums, out=np.zeros_like(columns), where=column_sums > 0)[:, None, :]
        gap = max(np.abs(moves.sum(axis=2) - rows).max(initial=0), np.abs(moves.sum(axis=1) - columns).max(initial=0))
        if gap <= TOLERANCE * max(1.0, rows.max(initial=0)):
            return moves, iterations
    raise AccountingError("the flows did not converge (the seed leaves some movers no place to go)",
                          "use a seed without zeros between places that send and places that receive")


def demographic_accounting(stock_start: pd.DataFrame, stock_end: pd.DataFrame, *,
                           births: pd.Series | None = None, deaths: pd.Series | None = None,
                           seed: pd.DataFrame | None = None) -> FlowEstimate:
    """Flows between two stock tables (columns ``birthplace``, ``residence``, ``stock``) by demographic accounting.

    ``births`` and ``deaths``: totals over the period by place of residence (a Series indexed by place);
    ``seed``: a square table of relative propensities to move from its index to its columns (default 1).
    A pair missing from a table has no stock there. The worked example of Abel (2013) and Abel & Sander
    (2014) — four places A–D, no births or deaths — gives 150 moves, among them 50 from A to C:

    >>> places = list("ABCD")
    >>> def long(values):
    ...     return pd.DataFrame([(b, r, values[4 * i + j]) for i, b in enumerate(places)
    ...                          for j, r in enumerate(places)], columns=["birthplace", "residence", "stock"])
    >>> start = long([1000, 100, 10, 0, 55, 555, 50, 5, 80, 40, 800, 40, 20, 25, 20, 200])
    >>> end = long([950, 100, 60, 0, 80, 505, 75, 5, 90, 30, 800, 40, 40, 45, 0, 180])
    >>> flows = demographic_accounting(start, end).flows
    >>> int(flows["flow"].sum()), float(flows.set_index(["origin", "destination"]).loc[("A", "C"), "flow"])
    (150, 50.0)
    """
    places = sorted(set(stock_start["birthplace"]) | set(stock_start["residence"])
                    | set(stock_end["birthplace"]) | set(stock_end["residence"]))
    start = _matrix(stock_start, places, "stock_start")
    end = _matrix(stock_end, places, "stock_end")
    born = _by_residence(births, places, "births")
    died = _by_residence(deaths, places, "deaths")
    assumptions = ["Everyone born in a place is counted in both stock tables, except those born or dead during "
                   "the period; the fewest moves consistent with both tables happened (as many people as "
                   "possible stayed where they lived), and movers chose among the other places in proportion "
                   f"to {'the seed given' if seed is not None else 'a uniform seed (no place preferred)'}; "
                   "a person moved at most once in the period."]
    if births is not None:
        end_natives = np.diag(end).copy()
        if (born > end_natives + 1e-9).any():
            place = places[int(np.argmax(born - end_natives))]
            raise AccountingError(f"births in {place} ({born[places.index(place)]:g}) exceed the end stock of people "
                                  f"born and living there ({end_natives[places.index(place)]:g})",
                                  "check that births and stocks count the same people and period")
        end = end - np.diag(born)
        assumptions.append("Children born during the period were born where their mother lived and did not move.")
    if deaths is not None:
        residents = start.sum(axis=0)
        if (died > residents + 1e-9).any():
            place = places[int(np.argmax(died - residents))]
            raise AccountingError(f"deaths in {place} exceed its start stock",
                                  "check the deaths file's places and period")
        shares = np.divide(start, residents, out=np.zeros_like(start), where=residents > 0)
        start = start - shares * died
        assumptions.append("Deaths in a place are shared among its residents' birthplaces in proportion to the "
                           "start stock, and happened before anyone moved.")
    rescaled: dict[str, float] = {}
    start_totals, end_totals = start.sum(axis=1), end.sum(axis=1)
    for number, place in enumerate(places):
        if end_totals[number] <= 0 and start_totals[number] > 0:
            raise AccountingError(f"nobody born in {place} is in the end stock table, but {start_totals[number]:g} "
                                  "are in the start table", "give both tables for the same birthplaces")
        if end_totals[number] > 0 and abs(end_totals[number] - start_totals[number]) > 1e-9 * end_totals[number]:
            factor = start_totals[number] / end_totals[number]
            end[number] *= factor
            rescaled[place] = float(factor)
    if rescaled:
        assumptions.append("Where the people born in a place number differently in the two tables (after births and "
                           "deaths), the end stocks of that birthplace were rescaled to the start total: that "
                           "difference is treated as error in the tables, not as migration.")
    seed_matrix = np.ones((len(places), len(places)))
    if seed is not None:
        seed_matrix = seed.reindex(index=places, columns=places).fillna(0).to_numpy(dtype=float)
        if (seed_matrix < 0).any():
            raise AccountingError("the seed has negative values", "give non-negative propensities to move")
    moves, iterations = _fit(start, end, seed_matrix)
    b, i, j = np.nonzero(moves > 1e-9)
    table = pd.DataFrame({"birthplace": [places[n] for n in b], "origin": [places[n] for n in i],
                          "destination": [places[n] for n in j], "flow": moves[b, i, j]})
    table = table.sort_values(["birthplace", "origin", "destination"]).reset_index(drop=True)
    return FlowEstimate(table, METHOD, assumptions, rescaled, iterations)


METHODS = ("demographic-accounting", "differencing", "rates")


def flows_from_stocks(method: str, stock_start: pd.DataFrame, stock_end: pd.DataFrame, *,
                      births: pd.Series | None = None, deaths: pd.Series | None = None,
                      negatives: str = "drop", mortality: float | None = None, return_rate: float | None = None,
                      years: int | None = None) -> FlowEstimate:
    """Flows between two ``birthplace, residence, stock`` tables by one of :data:`METHODS`.

    ``demographic-accounting`` (the default of the field: :func:`demographic_accounting`) estimates moves
    between every pair of places; ``differencing`` and ``rates`` (analysis/estimates.py) read each
    birthplace's stock in another place on its own: a rise is a flow from the birthplace to that place,
    and with ``negatives="returns"`` (differencing) or from the rates a fall or a departure is a flow back.
    People living where they were born are not migrants in those two methods.
    """
    if method == "demographic-accounting":
        return demographic_accounting(stock_start, stock_end, births=births, deaths=deaths)
    if births is not None or deaths is not None:
        raise AccountingError(f"the {method} method takes no births or deaths tables",
                              "leave out --births and --deaths, or use --method demographic-accounting")
    from diaspora_observatory.analysis import estimates

    def pairs(table: pd.DataFrame) -> pd.DataFrame:
        abroad = table[table["birthplace"] != table["residence"]]
        return abroad.rename(columns={"birthplace": "origin", "residence": "destination"})

    if method == "differencing":
        table = estimates.stock_differencing(pairs(stock_start), pairs(stock_end), year_from=0, year_to=years or 0,
                                             negatives=negatives)
    elif method == "rates":
        if mortality is None or return_rate is None or not years:
            raise AccountingError("the rates method needs the annual mortality and return rates and the period's "
                                  "length", "give --mortality, --return-rate and --years")
        try:
            table = estimates.rates_method(pairs(stock_start), pairs(stock_end), year_from=0, year_to=years,
                                           mortality=mortality, return_rate=return_rate)
        except ValueError as error:
            raise AccountingError(str(error), "correct the rates or the period") from None
    else:
        raise AccountingError(f"unknown method {method!r}", f"use one of: {', '.join(METHODS)}")
    outward = table[["origin", "destination", "inflow"]].rename(columns={"inflow": "flow"})
    back = table[["destination", "origin", "returns"]].rename(
        columns={"destination": "origin", "origin": "destination", "returns": "flow"})
    by_birthplace = pd.concat([outward.assign(birthplace=table["origin"]), back.assign(birthplace=table["origin"])])
    by_birthplace = by_birthplace[by_birthplace["flow"] > 0][["birthplace", "origin", "destination", "flow"]]
    by_birthplace = by_birthplace.sort_values(["birthplace", "origin", "destination"]).reset_index(drop=True)
    assumptions = [table["assumptions"].iloc[0]] if len(table) else []
    method_name = table["method"].iloc[0] if len(table) else method
    return FlowEstimate(by_birthplace, method_name, assumptions)
