"""Tests of the funnel-plot statistics (thads_analysis/funnel.py, [SPIEGELHALTER-2005]).

Every expected number is worked by hand in the comments, not computed by the module under test.
"""

import numpy as np
import pandas as pd
import pytest

from thads_analysis.analysis.funnel import (
    Z95,
    Z998,
    additive_tau2,
    chi2_upper5,
    control_limits,
    funnel,
    funnel_curve,
    overdispersion,
    z_scores,
)

TOL = 1e-6

# The worked over-dispersed set: 10 provinces, n = 100 each, p0 = 0.5, so s = sqrt(0.5·0.5/100) = 0.05
# and y = 50 + 5·z gives the z-scores below.
#   z = −4, −2, −1, −1, 0, 0, 1, 1, 2, 3   →   y = 30, 40, 45, 45, 50, 50, 55, 55, 60, 65
# Winsorising at 10%/90%, numpy linear percentiles on the sorted z (positions counted from 0):
#   10th percentile at position 0.1·(10 − 1) = 0.9: −4 + 0.9·(−2 − (−4)) = −2.2
#   90th percentile at position 0.9·9 = 8.1:          2 + 0.1·(3 − 2)    =  2.1
#   z_w = −2.2, −2, −1, −1, 0, 0, 1, 1, 2, 2.1
#   Σz_w² = 4.84 + 4 + 1 + 1 + 0 + 0 + 1 + 1 + 4 + 4.41 = 21.25, phi = 21.25 / 10 = 2.125
# Test: N·phi = 21.25 against chi-square(9) upper 5% by Wilson–Hilferty:
#   c = 2/81 = 0.0246914, sqrt(c) = 0.1571348
#   9·(1 − 0.0246914 + 1.644854·0.1571348)³ = 9·1.2337725³ = 9·1.8780419 = 16.90238 (exact 16.919)
#   21.25 > 16.90 → over-dispersed.
# tau²: w = 1/0.0025 = 400 each, Σw = 4000, Σw² = 10·160000 = 1 600 000, Σw²/Σw = 400
#   tau² = (21.25 − 9) / (4000 − 400) = 12.25 / 3600 = 0.003402778
Y_OVER = [30, 40, 45, 45, 50, 50, 55, 55, 60, 65]
Z_OVER = [-4, -2, -1, -1, 0, 0, 1, 1, 2, 3]


def over_frame() -> pd.DataFrame:
    codes = [f"{i:02d}" for i in range(1, 11)]
    return pd.DataFrame({"province_code": codes, "resolved": Y_OVER, "with_conditions": [100] * 10},
                        index=pd.Index([f"r{i}" for i in range(10)], name="row"))


# --- control limits -----------------------------------------------------------------------------

def test_limits_worked_example():
    # p0 = 0.75, n = 100: s = sqrt(0.75·0.25/100) = sqrt(0.001875) = 0.0433013
    # 95%:   0.75 ± 1.959964·0.0433013 = 0.75 ± 0.0848689 = (0.665131, 0.834869)
    # 99.8%: 0.75 ± 3.090232·0.0433013 = 0.75 ± 0.1338110 = (0.616189, 0.883811)
    assert control_limits(100, 0.75, Z95) == pytest.approx((0.665131, 0.834869), abs=TOL)
    assert control_limits(100, 0.75, Z998) == pytest.approx((0.616189, 0.883811), abs=TOL)


def test_limits_vectorised_over_n():
    # p0 = 0.5: s = 0.5/sqrt(n) = 0.1, 0.05, 0.025 for n = 25, 100, 400
    # 95% half-widths 1.959964·s = 0.1959964, 0.0979982, 0.0489991
    lower, upper = control_limits([25, 100, 400], 0.5, Z95)
    assert lower == pytest.approx([0.3040036, 0.4020018, 0.4510009], abs=TOL)
    assert upper == pytest.approx([0.6959964, 0.5979982, 0.5489991], abs=TOL)
    lower, upper = control_limits(pd.Series([25, 100, 400]), 0.5, Z95)
    assert upper == pytest.approx([0.6959964, 0.5979982, 0.5489991], abs=TOL)


def test_limits_clipped_to_unit_interval():
    # p0 = 0.95, n = 10: s = sqrt(0.0475/10) = 0.0689202; 99.8% half = 3.090232·0.0689202 = 0.2129795
    # upper 0.95 + 0.213 = 1.163 → 1; lower 0.95 − 0.2129795 = 0.7370205
    assert control_limits(10, 0.95, Z998) == pytest.approx((0.7370205, 1.0), abs=TOL)
    # p0 = 0.02, n = 5: s = sqrt(0.0196/5) = 0.0626099; 95% half = 0.1227132 → lower −0.10 → 0
    assert control_limits(5, 0.02, Z95) == pytest.approx((0.0, 0.1427132), abs=TOL)


def test_limits_inflated():
    # multiplicative phi = 4: half-width doubles, 0.5 ± 2·0.0979982 at n = 100
    assert control_limits(100, 0.5, Z95, phi=4.0) == pytest.approx((0.3040036, 0.6959964), abs=TOL)
    # additive tau² = 0.0075: sqrt(0.0025 + 0.0075) = 0.1 → 0.5 ± 0.1959964
    assert control_limits(100, 0.5, Z95, tau2=0.0075) == pytest.approx((0.3040036, 0.6959964), abs=TOL)
    with pytest.raises(ValueError):
        control_limits(100, 0.5, Z95, phi=2.0, tau2=0.01)


# --- over-dispersion ----------------------------------------------------------------------------

def test_overdispersion_worked_example():
    od = overdispersion(Y_OVER, [100] * 10, 0.5)
    assert od.z_scores == pytest.approx(Z_OVER, abs=TOL)
    assert (od.lower_cut, od.upper_cut) == pytest.approx((-2.2, 2.1), abs=TOL)
    assert od.z_winsorised == pytest.approx([-2.2, -2, -1, -1, 0, 0, 1, 1, 2, 2.1], abs=TOL)
    assert od.n_units == 10
    assert od.phi == pytest.approx(2.125, abs=TOL)
    assert od.chi2_statistic == pytest.approx(21.25, abs=TOL)
    assert od.df == 9
    assert od.chi2_critical == pytest.approx(16.90238, abs=1e-4)
    assert od.is_overdispersed
    assert od.tau2 == pytest.approx(0.003402778, abs=1e-9)


def test_overdispersion_unequal_sizes_tau2():
    # n = 25 (s = 0.1) with y = 20 → rate 0.8, z = 3; n = 100 (s = 0.05) with y = 50 → z = 0. No winsorising.
    # phi = (9 + 0)/2 = 4.5, N·phi = 9; w = 100, 400: Σw = 500, Σw² = 170 000, Σw²/Σw = 340
    # tau² = (9 − 1) / (500 − 340) = 8/160 = 0.05
    # chi-square(1) upper 5%, Wilson–Hilferty: (1 − 2/9 + 1.644854·0.4714045)³ = 1.5531694³ = 3.746765
    od = overdispersion([20, 50], [25, 100], 0.5, winsor=0.0)
    assert od.phi == pytest.approx(4.5, abs=TOL)
    assert od.tau2 == pytest.approx(0.05, abs=TOL)
    assert od.chi2_critical == pytest.approx(3.746765, abs=1e-5)
    assert od.is_overdispersed
    assert additive_tau2(2, 4.5, np.array([0.1, 0.05])) == pytest.approx(0.05, abs=TOL)


def test_no_overdispersion_tau2_zero():
    # z = −1, 0, 0, 1 (n = 100, p0 = 0.5, y = 45, 50, 50, 55), no winsorising: phi = 2/4 = 0.5
    # N·phi = 2 ≤ N − 1 = 3 → tau² = 0; 2 < chi-square(3) upper 5% (≈ 7.81) → not over-dispersed
    od = overdispersion([45, 50, 50, 55], [100] * 4, 0.5, winsor=0.0)
    assert od.phi == pytest.approx(0.5, abs=TOL)
    assert od.tau2 == 0.0
    assert not od.is_overdispersed


def test_chi2_upper5_close_to_tables():
    # Printed tables: chi-square upper 5% = 3.841 (1), 7.815 (3), 16.919 (9), 79.082 (60).
    # Wilson–Hilferty is a little low: within 2.5% at 1 d.f., 0.6% at 3, 0.1% from 9 on.
    assert chi2_upper5(1) == pytest.approx(3.841, rel=0.025)
    assert chi2_upper5(3) == pytest.approx(7.815, rel=0.006)
    assert chi2_upper5(9) == pytest.approx(16.919, rel=0.001)
    assert chi2_upper5(60) == pytest.approx(79.082, rel=0.0001)


def test_single_unit_is_never_overdispersed():
    od = overdispersion([90], [100], 0.5)
    assert od.n_units == 1 and not od.is_overdispersed and od.tau2 == 0.0


def test_z_independent_of_other_units_but_phi_is_not():
    # z of a unit uses only its own counts and the fixed p0: (45/100 − 0.5)/0.05 = −1
    before = overdispersion(Y_OVER, [100] * 10, 0.5)
    after = overdispersion(Y_OVER + [95], [100] * 11, 0.5)  # an extra unit at z = (0.95 − 0.5)/0.05 = 9
    assert after.z_scores[:10] == pytest.approx(before.z_scores, abs=TOL)
    assert z_scores([45], [100], 0.5) == pytest.approx([-1.0])
    assert after.phi != pytest.approx(before.phi)
    table_before = funnel(over_frame(), 0.5).table
    extra = pd.DataFrame({"province_code": ["11"], "resolved": [95], "with_conditions": [100]}, index=["r10"])
    table_after = funnel(pd.concat([over_frame(), extra]), 0.5).table
    pd.testing.assert_series_equal(table_after["z"].iloc[:10], table_before["z"], check_names=False,
                                   check_index_type=False)
    pd.testing.assert_series_equal(table_after["rate"].iloc[:10], table_before["rate"], check_names=False,
                                   check_index_type=False)


def test_impossible_counts_rejected():
    with pytest.raises(ValueError):
        overdispersion([120], [100], 0.5)
    with pytest.raises(ValueError):
        overdispersion([10], [100], 1.0)  # p0 = 1 has no spread


# --- funnel table -------------------------------------------------------------------------------

def test_table_province_above_at_998():
    # p0 = 0.75, n = 100: 90/100 = 0.90 > 0.883811 → above at 99.8% (and at 95%).
    # 75/100 = 0.75 within; 60/100 = 0.60 < 0.616189 → below.
    frame = pd.DataFrame({"province_code": ["01", "79", "92"], "resolved": [90, 75, 60],
                          "with_conditions": [100, 100, 100]}, index=[7, 8, 9])
    result = funnel(frame, 0.75, adjust=None)
    table = result.table
    assert list(table.index) == [7, 8, 9]
    assert list(table["province_code"]) == ["01", "79", "92"]
    assert list(table["rate"]) == pytest.approx([0.90, 0.75, 0.60])
    # z = (0.90 − 0.75)/0.0433013 = 3.464102
    assert table["z"].iloc[0] == pytest.approx(3.464102, abs=TOL)
    assert table["lower998"].iloc[0] == pytest.approx(0.616189, abs=TOL)
    assert table["upper95"].iloc[0] == pytest.approx(0.834869, abs=TOL)
    assert list(table["flag"]) == ["above", "within", "below"]
    assert list(table["flag95"]) == ["above", "within", "below"]
    assert "lower998_adj" not in table.columns
    assert result.adjust is None and result.adjusted is False


def test_table_zero_and_missing_denominator_no_data():
    frame = pd.DataFrame({"province_code": ["01", "02", "04"],
                          "resolved": pd.array([90, 0, pd.NA], dtype="Int64"),
                          "with_conditions": pd.array([100, 0, pd.NA], dtype="Int64")})
    result = funnel(frame, 0.75)
    table = result.table
    assert list(table["flag"]) == ["above", "no data", "no data"]
    assert list(table["flag95"]) == ["above", "no data", "no data"]
    assert table["rate"].iloc[1:].isna().all()
    assert table["z"].iloc[1:].isna().all()
    assert result.n_units == 1


def test_table_no_data_rows_excluded_from_phi():
    base = funnel(over_frame(), 0.5)
    extra = pd.DataFrame({"province_code": ["11", "12"], "resolved": [0, 3],
                          "with_conditions": [0, np.nan]}, index=["r10", "r11"])
    result = funnel(pd.concat([over_frame(), extra]), 0.5)
    assert result.n_units == 10
    assert result.phi == pytest.approx(base.phi)


def test_table_multiplicative_adjustment_flags_fewer():
    # Worked set: phi = 2.125, sqrt(phi) = 1.4577380.
    # Plain 99.8%: 0.5 ± 3.090232·0.05 = (0.3454884, 0.6545116): 0.30 below → 1 outlier.
    # Adjusted 99.8%: 0.5 ± 0.1545116·1.457738 = 0.5 ± 0.2252375 = (0.2747625, 0.7252375): none.
    # Plain 95%: (0.4020018, 0.5979982): 0.30, 0.40 below; 0.60, 0.65 above → 4.
    # Adjusted 95%: 0.5 ± 0.0979982·1.457738 = 0.5 ± 0.1428557 = (0.3571443, 0.6428557): 0.30 below, 0.65 above → 2.
    result = funnel(over_frame(), 0.5, adjust="multiplicative")
    table = result.table
    assert result.is_overdispersed and result.adjusted
    assert result.phi == pytest.approx(2.125)
    assert table["lower998_adj"].iloc[0] == pytest.approx(0.2747625, abs=TOL)
    assert table["upper95_adj"].iloc[0] == pytest.approx(0.6428557, abs=TOL)
    plain = funnel(over_frame(), 0.5, adjust=None).table
    assert (plain["flag"] != "within").sum() == 1
    assert (table["flag"] != "within").sum() == 0
    assert (plain["flag95"] != "within").sum() == 4
    assert list(table["flag95"]) == ["below"] + ["within"] * 8 + ["above"]
    assert "Giới hạn nới rộng theo √φ = 1,457738;" in result.method  # √2,125, worked out above
    assert "φ = 2,125;" in result.method


def test_table_additive_adjustment():
    # tau² = 0.003402778; sqrt(0.0025 + 0.003402778) = sqrt(0.005902778) = 0.0768296
    # 95%: 0.5 ± 1.959964·0.0768296 = 0.5 ± 0.1505833 = (0.3494167, 0.6505833): 0.30 below; 0.65 within
    # 99.8%: 0.5 ± 3.090232·0.0768296 = 0.5 ± 0.2374213 → nothing outside
    result = funnel(over_frame(), 0.5, adjust="additive")
    table = result.table
    assert result.tau2 == pytest.approx(0.003402778, abs=1e-9)
    assert table["lower95_adj"].iloc[0] == pytest.approx(0.3494167, abs=TOL)
    assert table["upper998_adj"].iloc[0] == pytest.approx(0.7374213, abs=TOL)
    assert list(table["flag95"]) == ["below"] + ["within"] * 9
    assert (table["flag"] == "within").all()


def test_table_adjustment_not_applied_without_overdispersion():
    frame = pd.DataFrame({"resolved": [45, 50, 50, 55], "with_conditions": [100] * 4})
    result = funnel(frame, 0.5, adjust="multiplicative")
    table = result.table
    assert not result.is_overdispersed and not result.adjusted
    np.testing.assert_allclose(table["lower998_adj"], table["lower998"])
    np.testing.assert_allclose(table["upper95_adj"], table["upper95"])


def test_table_rejects_unknown_adjustment():
    with pytest.raises(ValueError):
        funnel(over_frame(), 0.5, adjust="logit")


# --- funnel curve -------------------------------------------------------------------------------

def test_curve_log_spaced_and_matches_limits():
    # n from 10 to 1000 in 3 log-spaced points: 10, 100, 1000. At n = 100, p0 = 0.75: the worked limits.
    curve = funnel_curve(0.75, 10, 1000, points=3)
    assert list(curve.columns) == ["n", "lower95", "upper95", "lower998", "upper998"]
    assert list(curve["n"]) == pytest.approx([10, 100, 1000])
    assert curve.loc[1, ["lower95", "upper95"]].tolist() == pytest.approx([0.665131, 0.834869], abs=TOL)
    assert curve.loc[1, ["lower998", "upper998"]].tolist() == pytest.approx([0.616189, 0.883811], abs=TOL)
    # funnel narrows as n grows
    assert (np.diff(curve["upper998"]) < 0).all()
    assert len(funnel_curve(0.75, 10, 1000)) == 200


def test_curve_adjusted():
    # phi = 4 doubles the half-width: at n = 100, p0 = 0.5, 95%: 0.5 ± 0.1959964
    curve = funnel_curve(0.5, 100, 100, points=2, phi=4.0)
    assert curve["upper95"].iloc[0] == pytest.approx(0.6959964, abs=TOL)


def test_funnel_curve_follows_the_adjustment_used():
    # The worked set: multiplicative 99.8% at n = 100 is (0.2747625, 0.7252375), additive upper
    # 0.7374213 (tests above); unadjusted 0.5 ± 0.1545116 = (0.3454884, 0.6545116).
    at_100 = dict(points=2, n_min=100, n_max=100)
    mult = funnel(over_frame(), 0.5, adjust="multiplicative").curve(**at_100)
    assert mult.loc[0, ["lower998", "upper998"]].tolist() == pytest.approx([0.2747625, 0.7252375], abs=TOL)
    assert funnel(over_frame(), 0.5, adjust="additive").curve(**at_100)["upper998"].iloc[0] == pytest.approx(
        0.7374213, abs=TOL)
    assert funnel(over_frame(), 0.5, adjust=None).curve(**at_100)["upper998"].iloc[0] == pytest.approx(
        0.6545116, abs=TOL)
    # Default range: 0.8 × the smallest to 1.25 × the largest denominator (all 100 here).
    assert funnel(over_frame(), 0.5).curve()["n"].iloc[[0, -1]].tolist() == pytest.approx([80.0, 125.0])
