"""The closed-form random walk with drift equals statsmodels' ARIMA(0,1,0) with a constant.

statsmodels finds the shock variance by numerical optimisation, which stops a little short of the exact
maximum-likelihood value the closed form uses (0.02% to 3% here), so interval widths agree to 2%.
"""

import numpy as np
import pytest

from diaspora_observatory.analysis.projections import forecast_series


@pytest.mark.parametrize("values", [
    [736, 548, 584, 461, 304, 168, 130, 126, 107, 131, 83, 89, 97, 128, 139, 164, 144, 195, 204, 177],
    [12810.0, 18783, 24628, 31191, 35795, 44648, 32620, 24940, 16738, 18793, 21160],
])
def test_forecast_equals_statsmodels_arima(values):
    from statsmodels.tsa.arima.model import ARIMA

    fitted = ARIMA(np.asarray(values, dtype=float), order=(0, 1, 0), trend="t").fit()
    prediction = fitted.get_forecast(4)
    interval = np.asarray(prediction.conf_int(alpha=0.05))
    ours = forecast_series(list(range(2000, 2000 + len(values))), values, horizon=4)
    assert ours["forecast"].tolist() == pytest.approx(prediction.predicted_mean, rel=1e-3, abs=0.01)
    assert (ours["upper"] - ours["forecast"]).tolist() == pytest.approx(interval[:, 1] - prediction.predicted_mean,
                                                                        rel=0.02)
