"""Economic complexity: a hand-solved 3 × 3 case and agreement with ``ecomplexity``."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from silkhub.core import complexity as cx
from silkhub.errors import ValidationError

# c1 exports p1, p2, p3; c2 exports p1, p2; c3 exports p1 (a nested matrix)
M = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0]], dtype=np.uint8)
S6 = math.sqrt(6)


def test_diversity_ubiquity() -> None:
    assert list(cx.diversity(M)) == [3, 2, 1]
    assert list(cx.ubiquity(M)) == [3, 2, 1]


def test_eci_pci_by_hand() -> None:
    # M~cc = [[11/18, 5/18, 2/18], [5/12, 5/12, 2/12], [1/3, 1/3, 1/3]]
    # trace 49/36, det 1/36 -> eigenvalues 1, 1/4, 1/9; for 1/4: v = (2, -1, -4)
    # k_p = D_p^-1 M' v = (-3/3, 1/2, 2/1) = (-1, .5, 2); k_c = D_c^-1 M k_p = (.5, -.25, -1)
    # mean k_c = -.25, sd = .75 * sqrt(2/3) -> ECI = (sqrt6/2, 0, -sqrt6/2)
    # PCI = (k_p + .25) / sd = (-sqrt6/2, sqrt6/2, 3 sqrt6/2)
    kc, kp = cx.eci_pci_raw(M)
    assert kc / kc[2] == pytest.approx([-0.5, 0.25, 1.0])  # proportional to (.5, -.25, -1)
    eci, pci = cx.standardise_eci_pci(kc, kp)
    assert eci == pytest.approx([S6 / 2, 0.0, -S6 / 2])
    assert pci == pytest.approx([-S6 / 2, S6 / 2, 3 * S6 / 2])
    # ECI of a country = mean PCI of its products
    assert eci[0] == pytest.approx(pci.mean())


def test_proximity_density_by_hand() -> None:
    # co-occurrence: p1p2 = 2, p1p3 = 1, p2p3 = 1; phi = co / max(ubiquity)
    phi = cx.proximity(M)
    assert phi == pytest.approx(np.array([[1, 2 / 3, 1 / 3], [2 / 3, 1, 1 / 2], [1 / 3, 1 / 2, 1]]))
    d = cx.density(M, phi)
    # c3 has only p1: density(p2) = (2/3) / (2/3 + 1 + 1/2) = 4/13
    #                 density(p3) = (1/3) / (1/3 + 1/2 + 1) = 2/11
    assert d[2, 1] == pytest.approx(4 / 13)
    assert d[2, 2] == pytest.approx(2 / 11)
    assert d[0] == pytest.approx([1.0, 1.0, 1.0])  # c1 has everything


def test_coi_cog_by_hand() -> None:
    phi = cx.proximity(M)
    d = cx.density(M, phi)
    kp = np.array([-1.0, 0.5, 2.0])
    coi, cog = cx.coi_cog(M, d, kp, phi)
    # c3 lacks p2, p3: COI = 4/13 * .5 + 2/11 * 2 = 0.15385 + 0.36364
    assert coi[2] == pytest.approx(4 / 13 * 0.5 + 2 / 11 * 2)
    assert coi[0] == 0.0
    # COG(c3, p2) = sum over missing p' in {p2, p3} of phi[p',p2] k_p' / rowsum(p')
    #            = 1 * .5 / (13/6) + (1/2) * 2 / (11/6) = 3/13 + 6/11
    assert cog[2, 1] == pytest.approx(3 / 13 + 6 / 11)
    assert cog[2, 0] == 0.0  # already exported


def test_rca_matrix_nan_for_empty_rows() -> None:
    r = cx.rca_matrix(np.array([[10.0, 30.0], [40.0, 20.0], [0.0, 0.0]]))
    assert r[0] == pytest.approx([0.5, 1.5])
    assert np.isnan(r[2]).all()


def test_complexity_drops_zero_rows_and_validates() -> None:
    rng = np.random.default_rng(1)
    x = rng.lognormal(size=(6, 5))
    x[5] = 0
    res = cx.complexity(x, list("abcdef"), list("vwxyz"))
    assert res.dropped_countries == ["f"]
    assert len(res.eci) == 5
    with pytest.raises(ValidationError):
        cx.complexity(-x, list("abcdef"), list("vwxyz"))
    with pytest.raises(ValidationError):
        cx.complexity(x[:2], list("ab"), list("vwxyz"))


def test_matrix_from_long_sums_duplicates() -> None:
    df = pd.DataFrame(
        {"exporter": ["A", "A", "B"], "product": ["1", "1", "2"], "value_usd": [1, 2, None]}
    )
    x, c, p = cx.matrix_from_long(df)
    assert c == ["A", "B"] and p == ["1", "2"]
    assert x.tolist() == [[3.0, 0.0], [0.0, 0.0]]


def _ecomplexity(df: pd.DataFrame) -> pd.DataFrame:
    from ecomplexity import ecomplexity

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ecomplexity(
            df.assign(year=2000),
            {"time": "year", "loc": "loc", "prod": "prod", "val": "val"},
            check_logsupermodularity=False,
            verbose=False,
        )


def assert_agrees_with_ecomplexity(df: pd.DataFrame) -> None:
    """ECI, PCI, density, COI, COG: correlation >= 0.9999 and max |diff| <= 1e-6.

    Checked for both paths: with the P × P proximity matrix and without it.
    """
    args = cx.matrix_from_long(df, "loc", "prod", "val")
    ref = _ecomplexity(df)
    for with_proximity in (True, False):
        res = cx.complexity(*args, with_proximity=with_proximity)
        _compare(res, ref[ref["loc"].isin(res.countries) & ref["prod"].isin(res.products)])


def _compare(res: cx.ComplexityResult, ref: pd.DataFrame) -> None:
    def z(a: np.ndarray) -> np.ndarray:
        return (a - a.mean()) / a.std()

    eci = ref.groupby("loc")["eci"].first().reindex(res.countries).to_numpy()
    pci = ref.groupby("prod")["pci"].first().reindex(res.products).to_numpy()
    coi = ref.groupby("loc")["coi"].first().reindex(res.countries).to_numpy()
    pairs = [("eci", eci, res.eci), ("pci", pci, res.pci), ("coi", coi, res.coi)]
    for name in ("density", "cog"):
        piv = ref.pivot(index="loc", columns="prod", values=name)
        piv = piv.reindex(index=res.countries, columns=res.products).to_numpy()
        pairs.append((name, piv.ravel(), getattr(res, name).ravel()))
    for name, theirs, ours in pairs:
        assert np.corrcoef(theirs, ours)[0, 1] >= 0.9999, name
        assert np.max(np.abs(z(theirs) - z(ours))) <= 1e-6, name
        assert np.max(np.abs(theirs - ours)) <= 1e-6, name  # also before standardisation


def test_agrees_with_ecomplexity_on_random_matrix() -> None:
    rng = np.random.default_rng(7)
    x = rng.lognormal(sigma=2.0, size=(40, 60)) * (rng.random((40, 60)) > 0.3)
    df = pd.DataFrame(
        [(f"c{i}", f"p{j:02d}", x[i, j]) for i in range(40) for j in range(60)],
        columns=["loc", "prod", "val"],
    )
    assert_agrees_with_ecomplexity(df)


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("filename", "columns"),
    [
        pytest.param(
            "world_trade_avg_1998_to_2000_sitc4.csv",
            ["country", "product", "value"],
            id="sitc4-1998-2000",
        ),
        pytest.param(
            "world_trade_2017_hs4.csv",
            ["reporter_iso", "product_code", "export_value_usd"],
            id="hs4-2017",
        ),
    ],
)
def test_agrees_with_ecomplexity_on_real_trade_data(
    shared_data, filename: str, columns: list[str]
) -> None:
    # Read directly (the data layer's importer for these files is another issue's work):
    # product codes as strings (leading zeros), empty value = no exports = 0 for RCA.
    path = shared_data / "trade" / "economiccomplexity_world_trade" / filename
    raw = pd.read_csv(path, dtype={columns[0]: str, columns[1]: str})
    df = pd.DataFrame(
        {
            "loc": raw[columns[0]].str.upper(),
            "prod": raw[columns[1]],
            "val": pd.to_numeric(raw[columns[2]]).fillna(0.0),
        }
    )
    assert_agrees_with_ecomplexity(df)


@pytest.mark.parametrize("block", [1, 7, 256])
def test_proximity_sums_equal_dense_path(block: int) -> None:
    rng = np.random.default_rng(11)
    x = rng.lognormal(sigma=2.0, size=(30, 80)) * (rng.random((30, 80)) > 0.3)
    res = cx.complexity(x, [f"c{i}" for i in range(30)], [f"p{j}" for j in range(80)])
    m = res.mcp
    s = cx.proximity_sums(m, m, block=block)
    assert np.allclose(s, m @ res.proximity.T, atol=1e-12)
    light = cx.complexity(
        x, [f"c{i}" for i in range(30)], [f"p{j}" for j in range(80)], with_proximity=False
    )
    assert light.proximity is None
    assert np.allclose(light.density, res.density, atol=1e-12)
    assert np.allclose(light.cog, res.cog, atol=1e-12)
    assert np.allclose(light.coi, res.coi, atol=1e-12)


def test_density_and_outlook_by_hand() -> None:
    # same 3 × 3 example: c3 density(p2) = 4/13, COG(c3, p2) = 3/13 + 6/11 (k_p = (-1, .5, 2))
    d, coi, cog = cx.density_and_outlook(M, np.array([-1.0, 0.5, 2.0]))
    assert d[2, 1] == pytest.approx(4 / 13)
    assert cog[2, 1] == pytest.approx(3 / 13 + 6 / 11)
    assert coi[2] == pytest.approx(4 / 13 * 0.5 + 2 / 11 * 2)
