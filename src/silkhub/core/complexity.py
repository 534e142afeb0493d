"""Economic complexity: diversity, ubiquity, ECI, PCI, proximity, density, COI and COG.

Pure, vectorised NumPy / SciPy-sparse functions over a country × product export matrix
``X`` (rows = countries *c*, columns = products *p*, US$). The conventions follow the Growth
Lab's ``ecomplexity`` package (PyPI, v0.5) so that results agree with it:

* presence ``M_cp = 1`` when Balassa RCA ``>= threshold`` (default 1, inclusive);
* countries and products with zero total exports are dropped before anything else;
* ECI/PCI come from the eigenvector of the second-largest eigenvalue, signed so that ECI
  correlates positively with diversity, then standardised with the *ECI* mean and (population)
  standard deviation: ``ECI = (k_c - mean(k_c)) / sd(k_c)``, ``PCI = (k_p - mean(k_c)) / sd(k_c)``;
* proximity ``phi_pp' = sum_c M_cp M_cp' / max(k_p, k_p')`` (symmetric, discrete);
* density ``w_cp = sum_p' M_cp' phi_pp' / sum_p' phi_pp'``;
* COI and COG use the raw (unstandardised, sign-fixed) product eigenvector; COI is then
  z-scored and COG divided by ``sd(k_c)`` (as ``ecomplexity`` and the Stata package do).

References: Hidalgo & Hausmann (2009) PNAS 106(26); Hidalgo et al. (2007) Science 317;
Hausmann et al. (2014) *The Atlas of Economic Complexity*, MIT Press.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from silkhub.errors import ValidationError

logger = logging.getLogger(__name__)


@dataclass
class ComplexityResult:
    """All complexity measures for one export matrix.

    Attributes
    ----------
    countries, products : labels of the rows / columns kept (zero-total ones dropped).
    rca : Balassa RCA, shape (C, P).
    mcp : presence matrix (0/1, uint8), shape (C, P).
    diversity : ``k_c,0 = sum_p M_cp``, shape (C,).
    ubiquity : ``k_p,0 = sum_c M_cp``, shape (P,).
    eci, pci : standardised ECI (C,) and PCI (P,) (see module docstring).
    proximity : product proximity matrix (P, P), float64.
    density : density of each product around each country (C, P).
    coi : standardised complexity outlook index (C,).
    cog : complexity outlook gain (C, P), zero where ``M_cp = 1``.
    dropped_countries, dropped_products : labels removed because their total is zero.
    values : the export values (C, P) of the rows and columns kept.
    """

    countries: list[str]
    products: list[str]
    rca: np.ndarray
    mcp: np.ndarray
    diversity: np.ndarray
    ubiquity: np.ndarray
    eci: np.ndarray
    pci: np.ndarray
    proximity: np.ndarray | None
    density: np.ndarray | None
    coi: np.ndarray | None
    cog: np.ndarray | None
    dropped_countries: list[str]
    dropped_products: list[str]
    values: np.ndarray | None = None


def rca_matrix(values: np.ndarray) -> np.ndarray:
    """Balassa revealed comparative advantage for a country × product matrix.

    ``RCA_cp = (X_cp / sum_p X_cp) / (sum_c X_cp / sum_cp X_cp)``.

    Rows or columns whose total is zero give NaN (undefined), never 0.
    """
    x = np.asarray(values, dtype=np.float64)
    row = x.sum(axis=1, keepdims=True)
    col = x.sum(axis=0, keepdims=True)
    total = x.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x * total) / (row * col)


def mcp_from_rca(rca: np.ndarray, threshold: float = 1.0) -> np.ndarray:
    """Presence matrix ``M_cp = 1 if RCA_cp >= threshold else 0`` (NaN counts as absent)."""
    r = np.nan_to_num(np.asarray(rca, dtype=np.float64), nan=0.0)
    return (r >= threshold).astype(np.uint8)


def diversity(mcp: np.ndarray) -> np.ndarray:
    """Diversity ``k_c,0 = sum_p M_cp`` (number of products a country exports with RCA)."""
    return np.asarray(mcp, dtype=np.int64).sum(axis=1)


def ubiquity(mcp: np.ndarray) -> np.ndarray:
    """Ubiquity ``k_p,0 = sum_c M_cp`` (number of countries exporting a product with RCA)."""
    return np.asarray(mcp, dtype=np.int64).sum(axis=0)


def eci_pci_raw(mcp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw (unstandardised) ECI and PCI vectors by the eigenvector method.

    ``M~cc' = sum_p M_cp M_c'p / (k_c,0 k_p,0)``; ``k_c`` is its eigenvector for the
    second-largest eigenvalue. Instead of the P × P product matrix used by ``ecomplexity`` we
    solve the small symmetric C × C problem ``S = D_c^-1/2 M D_p^-1 M' D_c^-1/2`` (same
    non-zero spectrum) and map back: ``k_p = D_p^-1 M' k_c`` is the eigenvector of
    ``M~pp' = D_p^-1 M' D_c^-1 M`` and ``k_c = D_c^-1 M k_p`` (mean PCI of a country's products).
    The sign is chosen so that ``corr(k_c, diversity) > 0``.

    Every country and product must have ``k > 0`` (drop zero rows/columns first).

    Returns
    -------
    (kc, kp) : arrays of shapes (C,) and (P,), with ``kc = D_c^-1 M kp`` exactly.
    """
    m = np.asarray(mcp, dtype=np.float64)
    kc0 = m.sum(axis=1)
    kp0 = m.sum(axis=0)
    if (kc0 == 0).any() or (kp0 == 0).any():
        raise ValidationError("every country and product needs diversity and ubiquity > 0")
    if m.shape[0] < 3:
        raise ValidationError("ECI needs at least three countries", field="countries")
    dc_half = 1.0 / np.sqrt(kc0)
    a = m * dc_half[:, None] * (1.0 / np.sqrt(kp0))[None, :]  # C × P
    s = a @ a.T  # C × C, dense BLAS (C is small)
    s = (s + s.T) / 2.0
    vals, vecs = np.linalg.eigh(s)  # ascending
    w = vecs[:, -2]
    v = dc_half * w  # eigenvector of M~cc
    kp = (m.T @ v) / kp0  # eigenvector of M~pp (up to scale)
    # ecomplexity uses the unit-norm product eigenvector; scale is irrelevant after
    # standardisation but normalise anyway so raw values are comparable.
    kp = kp / np.linalg.norm(kp)
    kc = (m @ kp) / kc0
    sign = np.sign(np.corrcoef(kc0, kc)[0, 1])
    if sign == 0 or np.isnan(sign):
        sign = 1.0
    logger.debug("ECI eigenvalues: %s", vals[-3:])
    return sign * kc, sign * kp


def standardise_eci_pci(kc: np.ndarray, kp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``ECI = (k_c - mean k_c) / sd k_c`` and ``PCI = (k_p - mean k_c) / sd k_c``.

    ``sd`` is the population standard deviation (ddof = 0), as in ``ecomplexity``. Using the ECI
    mean and sd for PCI keeps ``ECI_c = mean of PCI_p over the products with M_cp = 1``.
    """
    mu, sd = kc.mean(), kc.std()
    return (kc - mu) / sd, (kp - mu) / sd


def proximity(mcp: np.ndarray, ubiq: np.ndarray | None = None) -> np.ndarray:
    """Product proximity ``phi_pp' = sum_c M_cp M_cp' / max(k_p,0, k_p',0)`` (float64, P × P).

    The co-occurrence counts ``M'M`` are integers, exact in float32 up to 2^24 countries, so the
    matrix product runs in (fast) single precision and is then divided in double precision.
    The diagonal is 1 for every product with ``k_p,0 > 0``; products with ``k_p,0 = 0`` get 0.
    """
    m32 = np.asarray(mcp, dtype=np.float32)
    u = (ubiquity(mcp) if ubiq is None else np.asarray(ubiq)).astype(np.float64)
    co = m32.T @ m32  # float32 BLAS, exact integer counts
    safe = np.where(u > 0, u, 1.0)
    phi = np.empty(co.shape, dtype=np.float64)
    step = 256  # row blocks keep the temporaries in cache
    for i in range(0, len(u), step):
        blk = phi[i : i + step]
        np.divide(co[i : i + step], np.maximum(safe[i : i + step, None], safe[None, :]), out=blk)
    if (u == 0).any():
        phi[:, u == 0] = 0.0
        phi[u == 0, :] = 0.0
    return phi


def density(mcp: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Density ``w_cp = sum_p' M_cp' phi_pp' / sum_p' phi_pp'`` (share of related capabilities).

    One dense (C × P) by (P × P) product in double precision (BLAS, multi-threaded).
    """
    m = np.asarray(mcp, dtype=np.float64)
    rows = phi.sum(axis=1)
    num = m @ phi.T  # (C, P): sum_p' M_cp' phi[p, p']
    with np.errstate(divide="ignore", invalid="ignore"):
        num /= rows[None, :]
    return num


def coi_cog(
    mcp: np.ndarray, dens: np.ndarray, kp_raw: np.ndarray, phi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Raw complexity outlook index and gain (``ecomplexity``/Stata definitions).

    ``COI_c = sum_p w_cp (1 - M_cp) k_p``;
    ``COG_cp = (1 - M_cp) sum_p' (1 - M_cp') k_p' phi_p'p / sum_p'' phi_p'p''``,
    with ``k_p`` the raw sign-fixed product eigenvector; ``(1 - M) A`` is computed as
    ``1'A - M A``.
    """
    m = np.asarray(mcp, dtype=np.float64)
    coi = ((dens * (1.0 - m)) @ kp_raw).ravel()
    rows = phi.sum(axis=1)
    a = phi * (kp_raw / rows)[:, None]  # a[p', p] = phi[p', p] k_p' / rowsum_p'
    colsum = a.sum(axis=0)
    cog = m @ a
    np.subtract(colsum[None, :], cog, out=cog)
    cog *= 1.0 - m
    return coi, cog


def proximity_sums(
    mcp: np.ndarray, x: np.ndarray, ubiq: np.ndarray | None = None, block: int = 256
) -> np.ndarray:
    """``S = x phi`` (``S_rp = sum_p' x_rp' phi_pp'``) without forming the P × P proximity.

    With products sorted by ubiquity, ``max(k_p, k_p')`` is ``k_p`` for the products before p
    and ``k_p'`` after it, so, with ``C = M'M``,
    ``S_rp = (1/k_p) sum_{p' <= p} x_rp' C_pp' + sum_{p' > p} x_rp' C_pp' / k_p'``.
    Prefix sums of ``x_r. M_c.'`` (R × C) over blocks of products turn this into BLAS products
    of cost ~ 4 R C P + 2 P b (C + R) instead of R P² (b = block size), in double precision.

    Parameters
    ----------
    mcp : (C, P) presence matrix, every ``k_p > 0``.
    x : (R, P) weights per product (rows of M for density, ones for the row sums of phi …).
    """
    m = np.asarray(mcp, dtype=np.float64)
    u = (ubiquity(mcp) if ubiq is None else np.asarray(ubiq)).astype(np.float64)
    order = np.argsort(u, kind="stable")
    ms = np.ascontiguousarray(m[:, order])
    us = u[order]
    xs = np.ascontiguousarray(np.asarray(x, dtype=np.float64)[:, order])
    xu = xs / us[None, :]
    r, c = xs.shape[0], ms.shape[0]
    a = np.zeros((r, c))  # sum_{j before block} x_j m_j'
    w = np.zeros((r, c))  # sum_{j before block} x_j m_j' / u_j
    btot = xu @ ms.T  # sum over all j of x_j m_j' / u_j
    out = np.empty_like(xs)
    for s in range(0, ms.shape[1], block):
        e = min(s + block, ms.shape[1])
        mb, xb, xub = ms[:, s:e], xs[:, s:e], xu[:, s:e]
        tri = np.triu(mb.T @ mb)  # tri[j, i] = C_ji for j <= i within the block
        low = a @ mb + xb @ tri
        high = (btot - w) @ mb - xub @ tri
        out[:, s:e] = low / us[None, s:e] + high
        a += xb @ mb.T
        w += xub @ mb.T
    res = np.empty_like(out)
    res[:, order] = out
    return res


def density_and_outlook(
    mcp: np.ndarray, kp_raw: np.ndarray, ubiq: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Density, raw COI and raw COG by :func:`proximity_sums` (same definitions as
    :func:`density` and :func:`coi_cog`, without the P × P proximity matrix).

    Returns
    -------
    (density (C, P), coi (C,), cog (C, P)).
    """
    m = np.asarray(mcp, dtype=np.float64)
    ones = np.ones((1, m.shape[1]))
    s = proximity_sums(m, np.vstack([m, ones]), ubiq)
    rows = s[-1]  # sum_p' phi_pp'
    with np.errstate(divide="ignore", invalid="ignore"):
        dens = s[:-1] / rows[None, :]
    one_minus = 1.0 - m
    coi = (dens * one_minus) @ kp_raw
    cog = one_minus * proximity_sums(m, one_minus * (kp_raw / rows)[None, :], ubiq)
    return dens, coi, cog


def complexity(
    values: np.ndarray,
    countries: Sequence[str],
    products: Sequence[str],
    *,
    threshold: float = 1.0,
    with_space: bool = True,
    with_proximity: bool = True,
) -> ComplexityResult:
    """Compute every complexity measure from a country × product export matrix.

    Parameters
    ----------
    values : (C, P) exports in US$; NaN is treated as 0 (no recorded exports).
    countries, products : row and column labels.
    threshold : RCA threshold for presence (``ecomplexity`` default 1, inclusive).
    with_space : also compute density, COI and COG (the product-space part).
    with_proximity : compute the P × P proximity matrix (returned, and used for density and COG
        by dense BLAS products); ``False`` gets the same density and COG from
        :func:`density_and_outlook` without holding P² numbers (8 P² bytes: 200 MB at HS6).

    Notes
    -----
    Rows and columns with zero total are dropped first (listed in ``dropped_*``); their measures
    are undefined, not zero.
    """
    x = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0)
    if x.ndim != 2 or x.shape != (len(countries), len(products)):
        raise ValidationError("values must be a (countries × products) matrix")
    if (x < 0).any():
        raise ValidationError("export values must not be negative", field="value_usd")
    keep_c = x.sum(axis=1) > 0
    keep_p = x.sum(axis=0) > 0
    x = x[keep_c][:, keep_p]
    c_labels = [c for c, k in zip(countries, keep_c, strict=True) if k]
    p_labels = [p for p, k in zip(products, keep_p, strict=True) if k]
    dropped_c = [c for c, k in zip(countries, keep_c, strict=True) if not k]
    dropped_p = [p for p, k in zip(products, keep_p, strict=True) if not k]
    rca = rca_matrix(x)
    mcp = mcp_from_rca(rca, threshold)
    div, ubi = diversity(mcp), ubiquity(mcp)
    kc, kp = eci_pci_raw(mcp)
    eci, pci = standardise_eci_pci(kc, kp)
    phi = dens = coi = cog = None
    if with_space and with_proximity:
        phi = proximity(mcp, ubi)
        dens = density(mcp, phi)
        coi_raw, cog_raw = coi_cog(mcp, dens, kp, phi)
    elif with_space:  # same results without the P × P matrix (less memory, a little slower)
        dens, coi_raw, cog_raw = density_and_outlook(mcp, kp, ubi)
    if with_space:
        coi = (coi_raw - coi_raw.mean()) / coi_raw.std()
        cog = cog_raw / kc.std()
    return ComplexityResult(
        countries=c_labels,
        products=p_labels,
        rca=rca,
        mcp=mcp,
        diversity=div,
        ubiquity=ubi,
        eci=eci,
        pci=pci,
        proximity=phi,
        density=dens,
        coi=coi,
        cog=cog,
        dropped_countries=dropped_c,
        dropped_products=dropped_p,
        values=x,
    )


def matrix_from_long(
    df: pd.DataFrame,
    country: str = "exporter",
    product: str = "product",
    value: str = "value_usd",
) -> tuple[np.ndarray, list[str], list[str]]:
    """Pivot long rows (country, product, value) to a dense matrix; absent cells are 0.

    Duplicate (country, product) rows are summed. Labels are sorted.
    """
    c_codes, c_labels = pd.factorize(df[country], sort=True)
    p_codes, p_labels = pd.factorize(df[product], sort=True)
    x = np.zeros((len(c_labels), len(p_labels)), dtype=np.float64)
    vals = pd.to_numeric(df[value], errors="coerce").fillna(0.0).to_numpy(dtype=np.float64)
    np.add.at(x, (c_codes, p_codes), vals)
    return x, [str(c) for c in c_labels], [str(p) for p in p_labels]
