"""The random walk with drift against statsmodels, and its prediction intervals against simulation.

The point forecast equals statsmodels' ARIMA(0,1,0) with a constant. ARIMA's intervals treat the fitted
drift as known (variance h·σ²), so they are not ours: ours add the drift's error (h²·σ²/n). That error
is cross-checked on statsmodels' own estimates: regressing the yearly changes on a constant (OLS) gives
σ² (``scale``) and the drift's standard error (``bse``); at one year ahead OLS's prediction interval for
a new change is exactly ours, and at every horizon our variance is h·scale + h²·bse². A simulation then
shows the intervals hold their level where the known-drift interval falls short.
"""

import numpy as np
import pytest
from scipy import stats

from diaspora_observatory.analysis.projections import fit_window, flow_forecast, forecast_series

SERIES = [
    # Kyrgyzstan's emigration, 2000-2019 (Table 2 of the study)
    [736, 548, 584, 461, 304, 168, 130, 126, 107, 131, 83, 89, 97, 128, 139, 164, 144, 195, 204, 177],
    # Uzbekistan's immigration, 2000-2010
    [12810.0, 18783, 24628, 31191, 35795, 44648, 32620, 24940, 16738, 18793, 21160],
]


@pytest.mark.parametrize("values", SERIES)
def test_point_forecast_equals_statsmodels_arima(values):
    from statsmodels.tsa.arima.model import ARIMA

    fitted = ARIMA(np.asarray(values, dtype=float), order=(0, 1, 0), trend="t").fit()
    prediction = fitted.get_forecast(4)
    ours = forecast_series(list(range(2000, 2000 + len(values))), values, horizon=4)
    assert ours["forecast"].tolist() == pytest.approx(prediction.predicted_mean, rel=1e-3, abs=0.01)
    # ARIMA's interval leaves out the drift's error, so it is narrower than ours at every horizon
    arima_half = np.asarray(prediction.conf_int(alpha=0.05))[:, 1] - prediction.predicted_mean
    assert ((ours["upper"] - ours["forecast"]).to_numpy() > arima_half).all()


@pytest.mark.parametrize("values", SERIES)
def test_interval_includes_the_drift_error_as_statsmodels_estimates_it(values):
    import statsmodels.api as sm

    changes = np.diff(np.asarray(values, dtype=float))
    ols = sm.OLS(changes, np.ones((changes.size, 1))).fit()
    ours = forecast_series(list(range(2000, 2000 + len(values))), values, horizon=5)
    assert ours["drift"].iloc[0] == pytest.approx(ols.params[0])
    # one year ahead: the next value is the last one plus a new change, OLS's prediction interval for it
    one_ahead = ols.get_prediction(np.ones((1, 1))).summary_frame(alpha=0.05).iloc[0]
    assert ours["lower"].iloc[0] == pytest.approx(max(values[-1] + one_ahead["obs_ci_lower"], 0), rel=1e-9)
    assert ours["upper"].iloc[0] == pytest.approx(values[-1] + one_ahead["obs_ci_upper"], rel=1e-9)
    steps = np.arange(1, 6)
    half = stats.t.ppf(0.975, ols.df_resid) * np.sqrt(steps * ols.scale + steps**2 * ols.bse[0] ** 2)
    assert (ours["upper"] - ours["forecast"]).tolist() == pytest.approx(half.tolist(), rel=1e-9)


@pytest.mark.slow  # a simulation (about 1.5 s)
def test_intervals_hold_their_level_in_simulation():
    """4,000 Gaussian random walks with drift, 12 years each: the 95% interval five years ahead covers the
    true value about 95% of the time; the interval that treats the drift as known covers too few."""
    rng = np.random.default_rng(20261201)
    runs, years, horizon = 4000, 12, 5
    paths = np.cumsum(rng.normal(3.0, 10.0, size=(runs, years + horizon)), axis=1) + 1000
    covered = known_drift_covered = 0
    for path in paths:
        fitted = forecast_series(list(range(years)), path[:years].tolist(), horizon=horizon)
        truth = path[years + horizon - 1]
        covered += fitted["lower"].iloc[-1] <= truth <= fitted["upper"].iloc[-1]
        changes = np.diff(path[:years])
        centre = path[years - 1] + horizon * changes.mean()
        known = 1.959964 * changes.std() * np.sqrt(horizon)  # σ by maximum likelihood, drift taken as exact
        known_drift_covered += centre - known <= truth <= centre + known
    # binomial standard error at 95% over 4,000 runs: 0.34 points
    assert covered / runs == pytest.approx(0.95, abs=0.012)
    assert known_drift_covered / runs < 0.92


def test_drift_is_fitted_after_the_last_significant_change(case):
    flows = case.table("flows")
    uzbekistan = flows[flows["partner"] == "UZB"].sort_values("year")
    years, immigration = uzbekistan["year"].tolist(), uzbekistan["immigration"].tolist()
    start = fit_window(years, immigration)
    assert years[start] == 2013  # Pettitt: immigration from Uzbekistan shifted level in 2013 (p < 0.001)
    table = flow_forecast(case, horizon=2)
    row = table[(table["partner"] == "UZB") & (table["flow"] == "immigration")].iloc[0]
    assert (row["fit_first_year"], row["fit_last_year"]) == (2013, 2023)
    changes = np.diff(immigration[start:])
    assert row["drift"] == pytest.approx(changes.mean())
    assert row["interval"] == "prediction interval"
    # Tajikistan's immigration has no significant change point (p = 0.33): the whole series is used
    tajikistan = table[(table["partner"] == "TJK") & (table["flow"] == "immigration")].iloc[0]
    assert tajikistan["fit_first_year"] == 2000


@pytest.mark.parametrize("degrees_of_freedom", [1, 2, 3, 4, 5, 9, 10, 17, 22, 60, 200])
@pytest.mark.parametrize("probability", [0.6, 0.9, 0.95, 0.975, 0.995])
def test_t_quantile_equals_scipy(degrees_of_freedom, probability):
    from diaspora_observatory.analysis.projections import t_quantile

    assert t_quantile(probability, degrees_of_freedom) == pytest.approx(
        stats.t.ppf(probability, degrees_of_freedom), rel=1e-10)
