"""Generates the scipy reference values the StrataQuality tests compare against.

Run from the repository root with the test virtual environment (`make venv`):

    .venv/bin/python Tests/StrataQualityTests/Fixtures/make_fixtures.py

It writes statistics.json next to itself: inputs and scipy's outputs for ks_2samp, kstwo.sf, smirnov,
chisquare, a two-proportion Z-test, wasserstein_distance, jensenshannon(base=2), Evidently's PSI and
binning (written out below with numpy), and whole drift decisions. Inputs come from a seeded generator,
rounded so the file stays small; the Swift side reads the rounded values, so both compute on the same data.
Non-finite numbers are written as the strings "inf", "-inf" and "nan".
"""
import json
import math
import pathlib

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance

rng = np.random.default_rng(20240614)


def num(x):
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def sample(kind, n, digits=4, **kw):
    if kind == "normal":
        values = rng.normal(kw.get("loc", 0.0), kw.get("scale", 1.0), n)
    elif kind == "uniform":
        values = rng.uniform(kw.get("low", 0.0), kw.get("high", 1.0), n)
    elif kind == "exponential":
        values = rng.exponential(kw.get("scale", 1.0), n)
    elif kind == "integers":
        values = rng.integers(kw.get("low", 0), kw.get("high", 10), n).astype(float)
    else:
        raise ValueError(kind)
    return [compact(round(float(v), digits)) for v in values]


def compact(x):
    """Whole numbers as JSON integers, to keep the file small."""
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else x


def ks_cases():
    cases = [
        ("tiny samples", [1.0, 2.0, 3.0, 4.0], [3.0, 4.0, 5.0, 6.0, 7.0]),
        ("one value each, different", [1.0], [2.0]),
        ("one value each, equal", [1.0], [1.0]),
        ("identical samples", [0.5, 1.5, 2.5, 3.5], [0.5, 1.5, 2.5, 3.5]),
        ("one against fifty", [0.3], sample("normal", 50)),
        ("ties everywhere", sample("integers", 40, high=4), sample("integers", 60, high=4)),
        ("equal sizes, shifted", sample("normal", 200), sample("normal", 200, loc=0.3)),
        ("unequal sizes, same distribution", sample("normal", 300), sample("normal", 700)),
        ("unequal sizes, shifted", sample("normal", 1000), sample("normal", 800, loc=0.15)),
        ("exact branch at the size limit", sample("uniform", 97), sample("uniform", 10000, digits=2)),
        ("very different sizes (asymptotic)", sample("normal", 5), sample("normal", 10001, digits=2)),
        ("large and medium (asymptotic), shifted", sample("normal", 2000, digits=2), sample("normal", 10001, loc=0.05, digits=2)),
        ("large and small (asymptotic), same", sample("exponential", 300, digits=2), sample("exponential", 10001, digits=2)),
        ("large with ties (asymptotic)", sample("integers", 10001, high=50), sample("integers", 3000, high=51)),
        ("far apart", sample("normal", 30), sample("normal", 40, loc=10)),
    ]
    out = []
    for name, a, b in cases:
        r = stats.ks_2samp(a, b)
        out.append({"name": name, "a": a, "b": b, "statistic": num(r.statistic), "pvalue": num(r.pvalue)})
    return out


def kstwo_cases():
    out = []
    for n in [1, 2, 3, 5, 10, 20, 50, 100, 140, 141, 200, 500, 1000, 3000, 10000, 50000, 100001, 250000]:
        xs = set()
        for x in [0.5 / n, 0.75 / n, 1.0 / n, 1.5 / n, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.45, 0.5, 0.7, 0.9, 0.99, 1 - 0.5 / n]:
            if 0 < x < 1:
                xs.add(x)
        for c in [0.5, 0.8, 0.86, 1.0, 1.3, 1.5, 1.9, 2.1, 2.5, 3.0, 5.0, 10.0]:
            x = math.sqrt(c / n)
            if 0 < x < 1:
                xs.add(x)
        for c in [1.0, 1.3, 1.45]:
            x = (c / n) ** (2 / 3)
            if 0 < x < 1:
                xs.add(x)
        for x in sorted(xs):
            out.append({"n": n, "x": x, "sf": num(stats.kstwo.sf(x, n))})
    return out


def smirnov_cases():
    out = []
    for n in [1, 2, 5, 10, 100, 1000, 20000]:
        for x in [0.001, 0.05, 0.1, 0.3, 0.5, 0.75, 0.95]:
            out.append({"n": n, "x": x, "sf": num(special.smirnov(n, x))})
    return out


def exact_pvalue_cases():
    from scipy.stats._stats_py import _attempt_exact_2kssamp
    out = []
    for n1, n2 in [(3, 3), (10, 10), (1000, 1000), (7, 13), (50, 80), (999, 1000), (100, 10000), (1, 9999), (640, 960)]:
        g = math.gcd(n1, n2)
        lcm = (n1 // g) * n2
        for frac in [0.0, 0.01, 0.05, 0.1, 0.2, 0.5, 0.9, 1.0]:
            h = round(frac * lcm)
            d = h / lcm
            ok, dd, p = _attempt_exact_2kssamp(n1, n2, g, d, "two-sided")
            if ok:
                out.append({"n1": n1, "n2": n2, "d": d, "pvalue": num(p)})
    return out


def chisquare_cases():
    out = []
    raw = [
        ("balanced", [10, 20, 30], [20, 20, 20]),
        ("many categories", list(rng.integers(5, 60, 500)), None),
        ("tiny p", [500, 10, 10], [173.33333333333334, 173.33333333333334, 173.33333333333334]),
        ("expected zero", [1, 2], [0, 3]),
    ]
    for name, obs, exp in raw:
        obs = [float(v) for v in obs]
        if exp is None:
            exp = [float(v) for v in rng.integers(5, 60, len(obs))]
            exp = [e * sum(obs) / sum(exp) for e in exp]
        with np.errstate(divide="ignore"):
            r = stats.chisquare(obs, exp)
        out.append({"name": name, "observed": obs, "expected": [float(e) for e in exp], "statistic": num(r.statistic), "pvalue": num(r.pvalue)})
    return out


def evidently_chisquare(ref, cur):
    """Evidently's chi-squared drift test on category counts: expected = reference scaled to the current total."""
    keep = [i for i in range(len(ref)) if ref[i] > 0 or cur[i] > 0]
    ref = [ref[i] for i in keep]
    cur = [cur[i] for i in keep]
    k = sum(cur) / sum(ref)
    with np.errstate(divide="ignore", invalid="ignore"):
        return stats.chisquare(cur, [r * k for r in ref])


def category_count_cases():
    out = []
    for name, ref, cur in [
        ("three cities", [50, 30, 20], [40, 40, 20]),
        ("a new category in current", [50, 50, 0], [30, 30, 10]),
        ("an empty category on both sides", [10, 0, 10], [12, 0, 8]),
        ("very different totals", [5, 3, 2], [5000, 3100, 1900]),
        ("identical shares", [10, 20, 30], [20, 40, 60]),
    ]:
        ref = [float(v) for v in ref]
        cur = [float(v) for v in cur]
        r = evidently_chisquare(ref, cur)
        with np.errstate(divide="ignore", invalid="ignore"):
            psi = evidently_psi(np.array(ref) / sum(ref), np.array(cur) / sum(cur))
        out.append({
            "name": name, "reference": ref, "current": cur,
            "chisquare_statistic": num(r.statistic), "chisquare_pvalue": num(r.pvalue),
            "jensenshannon": num(distance.jensenshannon(ref, cur, base=2)),
            "psi": num(psi),
            "linf": num(np.max(np.abs(np.array(ref) / sum(ref) - np.array(cur) / sum(cur)))),
        })
    return out


def z_cases():
    out = []
    for x1, n1, x2, n2 in [(30, 100, 45, 100), (1, 10, 9, 10), (500, 1000, 505, 1000), (3, 5, 700, 1000), (0, 50, 1, 60), (990, 1000, 10, 1000)]:
        p1, p2 = x1 / n1, x2 / n2
        pooled = (x1 + x2) / (n1 + n2)
        z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        out.append({"reference_hits": x1, "reference_count": n1, "current_hits": x2, "current_count": n2,
                    "z": num(z), "pvalue": num(2 * stats.norm.sf(abs(z)))})
    return out


def wasserstein_cases():
    out = []
    for name, a, b in [
        ("one point each", [1.0], [3.5]),
        ("identical", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
        ("ties", sample("integers", 50, high=5), sample("integers", 70, high=6)),
        ("shifted normals", sample("normal", 400), sample("normal", 600, loc=0.5)),
        ("different scales", sample("normal", 300, scale=1), sample("normal", 300, scale=3)),
        ("very different sizes", sample("exponential", 3), sample("exponential", 2000)),
    ]:
        out.append({"name": name, "a": a, "b": b, "distance": num(stats.wasserstein_distance(a, b))})
    for name in ["weighted"]:
        a = sample("normal", 40)
        b = sample("normal", 30, loc=0.2)
        wa = [float(w) for w in rng.integers(1, 9, 40)]
        wb = [float(2 ** k) for k in rng.integers(0, 6, 30)]
        out.append({"name": name, "a": a, "b": b, "a_weights": wa, "b_weights": wb,
                    "distance": num(stats.wasserstein_distance(a, b, wa, wb))})
    return out


def jensenshannon_cases():
    out = []
    for p, q in [([1, 0, 0], [0, 1, 0]), ([1, 0], [0.5, 0.5]), ([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]),
                 ([10, 20, 30, 0], [12, 18, 25, 5]), (list(rng.random(30)), list(rng.random(30)))]:
        out.append({"p": [float(v) for v in p], "q": [float(v) for v in q], "distance": num(distance.jensenshannon(p, q, base=2))})
    return out


def evidently_psi(ref_shares, cur_shares):
    """Evidently's PSI: empty shares filled per side, then sum((r - c) * ln(r / c))."""
    r = np.array(ref_shares, dtype=float)
    c = np.array(cur_shares, dtype=float)
    for arr in (r, c):
        nz = arr[arr != 0]
        if len(nz):
            fill = nz.min() / 10**6 if nz.min() <= 0.0001 else 0.0001
            np.place(arr, arr == 0, fill)
    return float(np.sum((r - c) * np.log(r / c)))


def binned_cases():
    """Evidently's numeric binning: 30 equal-width bins over both samples, then JS, PSI and L-infinity."""
    out = []
    for name, a, b in [
        ("shifted normals", sample("normal", 900), sample("normal", 700, loc=0.4)),
        ("same uniform", sample("uniform", 800), sample("uniform", 900)),
        ("disjoint ranges", sample("uniform", 300, low=0, high=1), sample("uniform", 300, low=5, high=6)),
    ]:
        edges = np.histogram_bin_edges(np.concatenate([a, b]), bins=30)
        ra = np.histogram(a, edges)[0]
        rb = np.histogram(b, edges)[0]
        out.append({
            "name": name, "a": a, "b": b, "edges": [float(e) for e in edges],
            "reference_counts": [float(v) for v in ra], "current_counts": [float(v) for v in rb],
            "jensenshannon": num(distance.jensenshannon(ra / len(a), rb / len(b), base=2)),
            "psi": num(evidently_psi(ra / len(a), rb / len(b))),
            "linf": num(np.max(np.abs(ra / len(a) - rb / len(b)))),
        })
    return out


def counts(reference, current):
    """The categories of either side, sorted, with each side's count per category."""
    keys = sorted(set(reference) | set(current))
    return keys, [float(reference.count(k)) for k in keys], [float(current.count(k)) for k in keys]


def drift_cases():
    """Whole decisions with Evidently's defaults; scores computed by scipy on the exact data."""
    out = []
    small_ref = sample("normal", 600)
    small_cur = sample("normal", 900, loc=0.25)
    out.append({"name": "small numeric reference: KS", "type": "float64", "reference": small_ref, "current": small_cur,
                "method": "ks", "score": num(stats.ks_2samp(small_ref, small_cur).pvalue)})
    large_ref = sample("normal", 6000, loc=10, scale=2, digits=2)
    large_cur = sample("normal", 9000, loc=10.3, scale=2, digits=2)
    out.append({"name": "large numeric reference: normalised Wasserstein", "type": "float64", "reference": large_ref,
                "current": large_cur, "method": "wasserstein",
                "score": num(stats.wasserstein_distance(large_ref, large_cur) / np.std(large_ref, ddof=1))})
    out.append({"name": "large numeric reference: KS on request", "type": "float64", "data_from": out[-1]["name"],
                "method": "ks", "override": "ks", "statistic": num(stats.ks_2samp(large_ref, large_cur).statistic),
                "score": num(stats.ks_2samp(large_ref, large_cur).pvalue)})
    cats = ["lagos", "lisbon", "porto", "oslo"]
    ref_c = [cats[i] for i in rng.choice(4, 800, p=[0.4, 0.3, 0.2, 0.1])]
    cur_c = [cats[i] for i in rng.choice(4, 500, p=[0.3, 0.3, 0.3, 0.1])]
    keys, rc, cc = counts(ref_c, cur_c)
    out.append({"name": "small categorical reference: chi-squared", "type": "string", "reference_counts": dict(zip(keys, rc)),
                "current_counts": dict(zip(keys, cc)),
                "method": "chi_squared", "score": num(evidently_chisquare(rc, cc).pvalue)})
    ref_b = [bool(v) for v in rng.random(700) < 0.3]
    cur_b = [bool(v) for v in rng.random(400) < 0.4]
    x1, n1, x2, n2 = sum(not v for v in ref_b), len(ref_b), sum(not v for v in cur_b), len(cur_b)
    pooled = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    out.append({"name": "two categories: Z-test", "type": "bool", "reference_counts": {"false": x1, "true": n1 - x1},
                "current_counts": {"false": x2, "true": n2 - x2},
                "method": "z_test", "score": num(2 * stats.norm.sf(abs(z)))})
    big_ref_c = [cats[i] for i in rng.choice(4, 5000, p=[0.4, 0.3, 0.2, 0.1])]
    big_cur_c = [cats[i] for i in rng.choice(4, 3000, p=[0.25, 0.25, 0.25, 0.25])]
    rc = [float(big_ref_c.count(k)) for k in cats]
    cc = [float(big_cur_c.count(k)) for k in cats]
    out.append({"name": "large categorical reference: Jensen-Shannon", "type": "string",
                "reference_counts": dict(zip(cats, rc)), "current_counts": dict(zip(cats, cc)), "method": "jensen_shannon", "score": num(distance.jensenshannon(rc, cc, base=2))})
    low_ref = sample("integers", 3000, high=4)
    low_cur = sample("integers", 2000, high=5)
    keys, rc, cc = counts(low_ref, low_cur)
    out.append({"name": "large numeric reference with 5 values: Jensen-Shannon", "type": "int64", "reference": low_ref,
                "current": low_cur, "method": "jensen_shannon", "score": num(distance.jensenshannon(rc, cc, base=2))})
    small_low_ref = sample("integers", 300, high=4)
    small_low_cur = sample("integers", 300, high=4)
    keys, rc, cc = counts(small_low_ref, small_low_cur)
    out.append({"name": "small numeric reference with 4 values: chi-squared", "type": "int64", "reference": small_low_ref,
                "current": small_low_cur, "method": "chi_squared", "score": num(evidently_chisquare(rc, cc).pvalue)})
    return out


fixtures = {
    "generator": f"numpy {np.__version__}, scipy {scipy.__version__}",
    "ks_2samp": ks_cases(),
    "kstwo_sf": kstwo_cases(),
    "smirnov": smirnov_cases(),
    "ks_exact_pvalue": exact_pvalue_cases(),
    "chisquare": chisquare_cases(),
    "category_counts": category_count_cases(),
    "z_test": z_cases(),
    "wasserstein": wasserstein_cases(),
    "jensenshannon": jensenshannon_cases(),
    "binned": binned_cases(),
    "drift": drift_cases(),
}
path = pathlib.Path(__file__).with_name("statistics.json")
path.write_text(json.dumps(fixtures, separators=(",", ":")) + "\n")
print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")
