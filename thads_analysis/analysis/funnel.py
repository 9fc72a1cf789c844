"""Funnel-plot statistics: comparing provinces of different size on a proportion.

The proportion is usually the case completion rate, resolved / with_conditions ([SPIEGELHALTER-2005]).
Method, after Spiegelhalter (2005) "Funnel plots for comparing institutional performance",
Stat Med 24:1185-1202, and "Handling over-dispersion of performance indicators", Qual Saf Health
Care 14:347-351. Every step is plain arithmetic so that a reported number can be checked by hand:

1. Target and spread. p0 is the comparison value (e.g. the national rate or the campaign target),
   given by the analyst and treated as fixed. For a province with n cases, the standard error of
   its rate under p0 is s = sqrt(p0 (1 - p0) / n).
2. Control limits. p0 ± z·s with z = 1.959964 (95%) and z = 3.090232 (99.8%), the two-sided normal
   quantiles. Limits are clipped to [0, 1] because a rate cannot leave that range.
3. z-scores. z_i = (y_i / n_i - p0) / s_i. A province's z depends only on its own counts and p0.
4. Over-dispersion. Provinces with n = 0 or a missing count are left out. The z-scores of the
   remaining N provinces are winsorised at 10%: every z below the 10th percentile is set to the
   10th percentile and every z above the 90th percentile to the 90th. Percentiles are numpy's
   default (linear interpolation between order statistics: the q-th percentile sits at position
   q/100·(N - 1) of the sorted z, counting from 0). phi = (1/N)·Σ z_w².
5. Test. Without over-dispersion N·phi is roughly chi-square with N - 1 degrees of freedom. The data
   are called over-dispersed when N·phi exceeds the upper 5% point of that chi-square. The point is
   computed by the Wilson-Hilferty approximation k·(1 - 2/(9k) + 1.644854·sqrt(2/(9k)))³, k = N - 1,
   which runs slightly below the exact value: 3.747 against 3.841 for k = 1, within 0.6% for k ≥ 3,
   0.1% for k ≥ 9 and 0.01% for k ≥ 40 (63 provinces: k = 62). With fewer than two provinces there is
   nothing to test and the data are never called over-dispersed. N - 1 d.f. (rather than N, as for a
   target known in advance) matches the tau² rule in step 6 and errs towards adjusting.
6. Adjustment, only when over-dispersed (otherwise the plain limits are used):
   - multiplicative: limits p0 ± z·sqrt(phi)·s (every standard error inflated by sqrt(phi));
   - additive (random effects, DerSimonian-Laird style): limits p0 ± z·sqrt(s² + tau²) with
     w = 1/s², tau² = (N·phi - (N - 1)) / (Σw - Σw²/Σw), and tau² = 0 when N·phi ≤ N - 1.
7. Flags. A province is "above" when its rate is strictly above the upper limit, "below" when
   strictly below the lower limit, else "within"; provinces without data are "no data". ``flag`` is
   judged on the 99.8% limits actually used, ``flag95`` on the 95% ones.

Money rates are dominated by a few large cases: do not put them on a binomial funnel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..i18n import _
from ..numbers import format_number

# Two-sided standard normal quantiles: Φ⁻¹(0.975) and Φ⁻¹(0.999), written out so that scipy is not needed.
Z95 = 1.959964
Z998 = 3.090232
OUTER_LEVEL = 99.8  # percent: the limits outside which a province is flagged (z = Z998)
# One-sided Φ⁻¹(0.95), for the upper 5% point of the chi-square test.
_Z_UPPER5 = 1.644854

ADJUSTMENTS = ("multiplicative", "additive")
FLAG_ABOVE, FLAG_WITHIN, FLAG_BELOW, FLAG_NO_DATA = "above", "within", "below", "no data"
# Identifying columns carried over from the input when present (see schema.KEYS).
ID_COLUMNS = ("province_code", "province_name", "region", "period_end", "measure", "category")


@dataclass(frozen=True)
class OverdispersionResult:
    """Over-dispersion of a set of proportions around p0 (see the module docstring, steps 3-6).

    ``z_scores`` and ``z_winsorised`` line up with the input; units without data hold NaN there.
    """

    p0: float
    winsor: float
    n_units: int
    z_scores: np.ndarray
    z_winsorised: np.ndarray
    lower_cut: float
    upper_cut: float
    phi: float
    chi2_statistic: float
    df: int
    chi2_critical: float
    is_overdispersed: bool
    tau2: float


def _check_p0(p0: float, strict: bool) -> float:
    p0 = float(p0)
    ok = 0.0 < p0 < 1.0 if strict else 0.0 <= p0 <= 1.0
    if not ok:
        message = (_("p0 must be a proportion strictly between 0 and 1, got {p0}") if strict
                   else _("p0 must be a proportion between 0 and 1, got {p0}"))
        raise ValueError(message.format(p0=p0))
    return p0


def _as_float(values) -> np.ndarray:
    """Counts as a float array, missing values (None, NA, NaN) as NaN."""
    if isinstance(values, (pd.Series, pd.Index)):
        return pd.to_numeric(values).to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(pd.Series(np.atleast_1d(np.asarray(values, dtype=object)))).to_numpy(
        dtype=float, na_value=np.nan)


def standard_error(n, p0: float) -> np.ndarray:
    """sqrt(p0 (1 - p0) / n) for each n; NaN where n is 0 or missing."""
    p0 = _check_p0(p0, strict=False)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, np.sqrt(p0 * (1.0 - p0) / n), np.nan)


def control_limits(n, p0: float, z: float, phi: float = 1.0, tau2: float = 0.0):
    """Lower and upper limits p0 ± z·sqrt(phi·s² + tau²), s² = p0(1 - p0)/n, clipped to [0, 1].

    ``n`` may be a number or array-like; the result has the same shape (floats for a scalar n).
    phi = 1, tau2 = 0 gives the plain binomial limits; give phi (multiplicative) or tau2 (additive), not both.
    """
    if phi != 1.0 and tau2 != 0.0:
        raise ValueError("give phi (multiplicative) or tau2 (additive), not both")
    if phi <= 0 or tau2 < 0:
        raise ValueError(f"phi must be > 0 and tau2 ≥ 0, got phi={phi}, tau2={tau2}")
    s = standard_error(n, p0)
    half = z * np.sqrt(phi * s**2 + tau2)
    lower, upper = np.clip(p0 - half, 0.0, 1.0), np.clip(p0 + half, 0.0, 1.0)
    if np.ndim(n) == 0:
        return float(lower), float(upper)
    return lower, upper


def z_scores(y, n, p0: float) -> np.ndarray:
    """(y/n - p0) / sqrt(p0(1 - p0)/n) per unit; NaN where n is 0 or missing."""
    p0 = _check_p0(p0, strict=True)
    y, n = _counts(y, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (y / n - p0) / standard_error(n, p0)


def _counts(y, n) -> tuple[np.ndarray, np.ndarray]:
    """Numerator and denominator as float arrays; n = 0 becomes NaN (no data). Rejects impossible counts."""
    y, n = _as_float(y), _as_float(n)
    if y.shape != n.shape:
        raise ValueError(f"numerator and denominator differ in length: {y.shape} vs {n.shape}")
    bad = (y < 0) | (n < 0) | (y > n)
    if bad.any():
        where = np.flatnonzero(bad).tolist()
        raise ValueError(_("counts must satisfy 0 ≤ numerator ≤ denominator; broken at positions {where}").format(
            where=where))
    n = np.where(n == 0, np.nan, n)
    return y, n


def winsorise(z: np.ndarray, winsor: float = 0.10) -> tuple[np.ndarray, float, float]:
    """Clamp z to its winsor and 1 - winsor percentiles (numpy linear interpolation); NaN left as NaN.

    Returns the clamped array and the two cut points.
    """
    if not 0.0 <= winsor < 0.5:
        raise ValueError(f"winsor must be in [0, 0.5), got {winsor}")
    valid = z[~np.isnan(z)]
    if valid.size == 0:
        return z.copy(), np.nan, np.nan
    lo, hi = np.percentile(valid, [100 * winsor, 100 * (1 - winsor)])
    return np.clip(z, lo, hi), float(lo), float(hi)


def chi2_upper5(df: int) -> float:
    """Upper 5% point of chi-square with df degrees of freedom, Wilson-Hilferty approximation."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be ≥ 1, got {df}")
    c = 2.0 / (9.0 * df)
    return df * (1.0 - c + _Z_UPPER5 * np.sqrt(c)) ** 3


def additive_tau2(n_units: int, phi: float, s: np.ndarray) -> float:
    """Between-province variance tau² = (N·phi - (N - 1)) / (Σw - Σw²/Σw), w = 1/s²; 0 if N·phi ≤ N - 1."""
    excess = n_units * phi - (n_units - 1)
    if n_units < 2 or not excess > 0:
        return 0.0
    w = 1.0 / s[~np.isnan(s)] ** 2
    return float(excess / (w.sum() - (w**2).sum() / w.sum()))


def overdispersion(y, n, p0: float, winsor: float = 0.10) -> OverdispersionResult:
    """Over-dispersion of the rates y/n around p0: phi, the chi-square test and tau² (module docstring, 3-6)."""
    p0 = _check_p0(p0, strict=True)
    z = z_scores(y, n, p0)
    z_w, lo, hi = winsorise(z, winsor)
    units = int(np.count_nonzero(~np.isnan(z)))
    if units == 0:
        raise ValueError(_("no unit has a positive denominator; over-dispersion cannot be estimated"))
    phi = float(np.nansum(z_w**2) / units)
    statistic = units * phi
    df = units - 1
    critical = chi2_upper5(df) if df >= 1 else np.nan
    # With one unit there is no spread to test: never call it over-dispersed.
    over = bool(df >= 1 and statistic > critical)
    # Weights only for the units that entered phi (a missing numerator leaves a unit out too).
    s = np.where(np.isnan(z), np.nan, standard_error(_counts(y, n)[1], p0))
    tau2 = additive_tau2(units, phi, s)
    return OverdispersionResult(p0=p0, winsor=winsor, n_units=units, z_scores=z, z_winsorised=z_w,
                                lower_cut=lo, upper_cut=hi, phi=phi, chi2_statistic=statistic, df=df,
                                chi2_critical=float(critical), is_overdispersed=over, tau2=tau2)


def _flags(rate: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> list[str]:
    """"above" / "below" strictly outside the limits, "within" otherwise, "no data" for a missing rate."""
    out = []
    for r, lo, hi in zip(rate, lower, upper):
        if np.isnan(r):
            out.append(FLAG_NO_DATA)
        elif r > hi:
            out.append(FLAG_ABOVE)
        elif r < lo:
            out.append(FLAG_BELOW)
        else:
            out.append(FLAG_WITHIN)
    return out


def _g(value: float) -> str:
    """A statistic in Vietnamese writing, up to 6 decimals: 2,125 · 0,003403 · 1.234,5."""
    return format_number(float(value), 6).rstrip("0").rstrip(",")


def _method_text(adjust: str | None, od: OverdispersionResult, used: bool) -> str:
    """The method note shown on the report pages (Vietnamese, numbers written the Vietnamese way)."""
    base = (f"Biểu đồ phễu theo Spiegelhalter (2005): p0 = {_g(od.p0)}; giới hạn p0 ± z·√(p0(1 − p0)/n), "
            f"z = {_g(Z95)} (95%) và {_g(Z998)} ({_g(OUTER_LEVEL)}%), giới hạn trong [0; 1]; φ = trung bình z² sau khi chặn z "
            f"ở phân vị thứ {_g(100 * od.winsor)} và {_g(100 * (1 - od.winsor))} (winsorise), N = {od.n_units}, "
            f"φ = {_g(od.phi)}; phân tán vượt mức khi N·φ = {_g(od.chi2_statistic)} lớn hơn giá trị tới hạn 5% "
            f"của χ²({od.df}) (xấp xỉ Wilson–Hilferty) = {_g(od.chi2_critical)}: "
            f"{'có' if od.is_overdispersed else 'không'}.")
    if adjust is None:
        return base + " Không hiệu chỉnh; đánh dấu theo giới hạn thường."
    if not used:
        return base + " Không cần hiệu chỉnh; đánh dấu theo giới hạn thường."
    if adjust == "multiplicative":
        return base + f" Giới hạn nới rộng theo √φ = {_g(np.sqrt(od.phi))}; đánh dấu theo giới hạn đã hiệu chỉnh."
    return base + (f" Hiệu ứng ngẫu nhiên cộng: giới hạn p0 ± z·√(s² + τ²), τ² = {_g(od.tau2)} "
                   "(DerSimonian–Laird); đánh dấu theo giới hạn đã hiệu chỉnh.")


@dataclass(frozen=True)
class Funnel:
    """A funnel around p0: one row per unit (``table``) and the run's statistics.

    ``table`` keeps the input index, the kept columns and the two counts, and adds rate, se, z,
    lower95, upper95, lower998, upper998, [lower95_adj, upper95_adj, lower998_adj, upper998_adj
    when ``adjust`` is set; equal to the plain limits when the data are not over-dispersed],
    flag (99.8%) and flag95.
    """

    table: pd.DataFrame
    p0: float
    numerator: str
    denominator: str
    adjust: str | None  # the adjustment asked for
    adjusted: bool  # whether it was applied (only when over-dispersed)
    overdispersion: OverdispersionResult
    method: str  # the method in Vietnamese words, with the run's numbers

    @property
    def phi(self) -> float:
        return self.overdispersion.phi

    @property
    def tau2(self) -> float:
        return self.overdispersion.tau2

    @property
    def n_units(self) -> int:
        return self.overdispersion.n_units

    @property
    def is_overdispersed(self) -> bool:
        return self.overdispersion.is_overdispersed

    def curve(self, points: int = 200, n_min: float | None = None, n_max: float | None = None) -> pd.DataFrame:
        """The lines of the limits the flags were judged on (see ``funnel_curve``), by default from
        0,8 × the smallest to 1,25 × the largest denominator in the table."""
        n = pd.to_numeric(self.table[self.denominator]).astype(float)
        n = n[n > 0]
        if n_min is None:
            n_min = max(float(n.min()) * 0.8, 1.0) if len(n) else 1.0
        if n_max is None:
            n_max = float(n.max()) * 1.25 if len(n) else 10.0
        phi, tau2 = _widening(self.adjust, self.overdispersion, self.adjusted)
        return funnel_curve(self.p0, n_min, max(n_min, n_max), points, phi=phi, tau2=tau2)


def _widening(adjust: str | None, od: OverdispersionResult, used: bool) -> tuple[float, float]:
    """(phi, tau2) that widen the limits: the estimates of the adjustment used, else (1, 0)."""
    if not used:
        return 1.0, 0.0
    return (od.phi, 0.0) if adjust == "multiplicative" else (1.0, od.tau2)


def funnel(frame: pd.DataFrame, p0: float, numerator: str = "resolved", denominator: str = "with_conditions",
           adjust: str | None = "multiplicative", winsor: float = 0.10, keep: Sequence[str] | None = None) -> Funnel:
    """The funnel of ``numerator / denominator`` of every row of ``frame`` around ``p0`` (a proportion).

    ``keep``: identifying columns carried into the table (default: the ID_COLUMNS present).
    ``adjust``: "multiplicative", "additive" or None; applied only when the data are over-dispersed.
    """
    if adjust is not None and adjust not in ADJUSTMENTS:
        raise ValueError(f"adjust must be one of {ADJUSTMENTS} or None, got {adjust!r}")
    p0 = _check_p0(p0, strict=True)
    missing = [c for c in (numerator, denominator) if c not in frame.columns]
    if missing:
        raise KeyError(f"missing column(s) {missing}")
    y, n = _counts(frame[numerator], frame[denominator])
    od = overdispersion(y, n, p0, winsor)

    keep = [c for c in ID_COLUMNS if c in frame.columns] if keep is None else list(keep)
    out = frame[[c for c in keep if c not in (numerator, denominator)] + [numerator, denominator]].copy()
    out["rate"] = y / n
    out["se"] = standard_error(n, p0)
    out["z"] = od.z_scores
    for label, z in (("95", Z95), ("998", Z998)):
        out[f"lower{label}"], out[f"upper{label}"] = control_limits(n, p0, z)

    # Adjust only when the test says so (Spiegelhalter 2005): otherwise the plain limits stand.
    used = adjust is not None and od.is_overdispersed
    phi, tau2 = _widening(adjust, od, used)
    suffix = "_adj" if adjust is not None else ""
    if adjust is not None:
        for label, z in (("95", Z95), ("998", Z998)):
            out[f"lower{label}_adj"], out[f"upper{label}_adj"] = control_limits(n, p0, z, phi=phi, tau2=tau2)
    rate = out["rate"].to_numpy(dtype=float)
    out["flag"] = _flags(rate, out[f"lower998{suffix}"].to_numpy(), out[f"upper998{suffix}"].to_numpy())
    out["flag95"] = _flags(rate, out[f"lower95{suffix}"].to_numpy(), out[f"upper95{suffix}"].to_numpy())
    return Funnel(out, p0, numerator, denominator, adjust, used, od, _method_text(adjust, od, used))


def funnel_curve(p0: float, n_min: float, n_max: float, points: int = 200, phi: float = 1.0,
                 tau2: float = 0.0) -> pd.DataFrame:
    """Funnel lines for drawing: n (log-spaced from n_min to n_max), lower95, upper95, lower998, upper998.

    Pass the table's phi (multiplicative) or tau2 (additive) to draw adjusted lines.
    """
    if not 0 < n_min <= n_max:
        raise ValueError(f"need 0 < n_min ≤ n_max, got {n_min}, {n_max}")
    if points < 2:
        raise ValueError(f"need at least 2 points, got {points}")
    n = np.geomspace(n_min, n_max, points)
    curve = pd.DataFrame({"n": n})
    for label, z in (("95", Z95), ("998", Z998)):
        curve[f"lower{label}"], curve[f"upper{label}"] = control_limits(n, p0, z, phi=phi, tau2=tau2)
    return curve
