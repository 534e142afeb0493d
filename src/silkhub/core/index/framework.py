"""Composite-indicator frameworks: pillars -> sub-pillars -> indicators, validated.

A framework is plain data (parsed from YAML by ``silkhub.analytics.index_service``; this module
reads no files). :func:`parse_framework` checks it and reports every problem as
``file:line: reason`` so a user can fix the file in one pass.

Rules checked
-------------
* codes are unique (pillars, sub-pillars and indicators share one namespace);
* ``direction`` is ``higher`` (higher is better) or ``lower``;
* ``transform`` is a subset, in order, of :data:`TRANSFORMS`;
* weights at one level are either all omitted (equal weights) or all given, non-negative and
  summing to 1 (tolerance 1e-6);
* every raw input code is known (when the caller passes ``known_codes``);
* ``per_capita`` / ``per_gdp`` need the framework's ``denominators``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from silkhub.errors import ValidationError

#: allowed transformations, applied in the order written in the framework file
TRANSFORMS = ("per_capita", "per_gdp", "log")
DIRECTIONS = ("higher", "lower")
UNIT_KINDS = ("region", "country")
WEIGHT_TOLERANCE = 1e-6

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Indicator:
    """One indicator: how to compute it from raw inputs and how to read it.

    ``value = transform(sum(inputs))``; e.g. trade dependence has inputs ``[EXPORTS, IMPORTS]``
    and transform ``[per_gdp]``.
    """

    code: str
    name_en: str
    name_zh: str
    unit: str
    direction: str
    weight: float
    source: str
    inputs: tuple[str, ...]
    transform: tuple[str, ...] = ()
    target: float | None = None
    pillar: str = ""
    sub_pillar: str = ""

    @property
    def sign(self) -> float:
        """+1 when higher is better, -1 when lower is better."""
        return 1.0 if self.direction == "higher" else -1.0


@dataclass(frozen=True)
class SubPillar:
    code: str
    name_en: str
    name_zh: str
    weight: float
    indicators: tuple[Indicator, ...]
    pillar: str = ""


@dataclass(frozen=True)
class Pillar:
    code: str
    name_en: str
    name_zh: str
    weight: float
    sub_pillars: tuple[SubPillar, ...]

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for s in self.sub_pillars for i in s.indicators)


@dataclass(frozen=True)
class Framework:
    """A validated framework. ``weights_given`` says whether the file set the weights."""

    code: str
    name_en: str
    name_zh: str
    description: str
    unit_kind: str
    pillars: tuple[Pillar, ...]
    denominators: Mapping[str, str] = field(default_factory=dict)
    budget: tuple[Mapping[str, float], ...] = ()
    source: str = ""

    @property
    def sub_pillars(self) -> tuple[SubPillar, ...]:
        return tuple(s for p in self.pillars for s in p.sub_pillars)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for p in self.pillars for i in p.indicators)

    @property
    def indicator_codes(self) -> list[str]:
        return [i.code for i in self.indicators]

    def indicator(self, code: str) -> Indicator:
        for i in self.indicators:
            if i.code == code:
                return i
        raise KeyError(code)

    def raw_inputs(self) -> list[str]:
        """Every raw code the framework reads (inputs and denominators), sorted."""
        codes = {c for i in self.indicators for c in i.inputs}
        for i in self.indicators:
            if "per_capita" in i.transform:
                codes.add(self.denominators["population"])
            if "per_gdp" in i.transform:
                codes.add(self.denominators["gdp"])
        return sorted(codes)


class _Errors:
    """Collects ``file:line: reason`` messages, finding the line of a YAML path."""

    def __init__(self, source: str, lines: Mapping[Path_, int] | None) -> None:
        self.source = source
        self.lines = lines or {}
        self.items: list[dict[str, str]] = []

    def line(self, path: Path_) -> int | None:
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), None)

    def add(self, path: Path_, reason: str) -> None:
        line = self.line(path)
        where = f"{self.source}:{line}" if line is not None else self.source
        field_ = ".".join(str(p) for p in path) or None
        self.items.append({"field": field_ or "", "message": f"{where}: {reason}"})

    def raise_if_any(self, what: str) -> None:
        if not self.items:
            return
        msgs = [e["message"] for e in self.items]
        shown = "; ".join(msgs[:5]) + (f" (+{len(msgs) - 5} more)" if len(msgs) > 5 else "")
        raise ValidationError(f"invalid {what}: {shown}", errors=self.items)


def _text(d: Mapping[str, Any], key: str, path: Path_, err: _Errors, *, required: bool) -> str:
    v = d.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        if required:
            err.add((*path, key), f"'{key}' is required")
        return ""
    if not isinstance(v, str | int | float):
        err.add((*path, key), f"'{key}' must be text")
        return ""
    return str(v).strip()


def _weights(
    items: Sequence[Mapping[str, Any]], path: Path_, key: str, what: str, err: _Errors
) -> list[float]:
    """Weights of one level: all omitted -> equal; else all numbers >= 0 summing to 1."""
    raw = [it.get("weight") if isinstance(it, Mapping) else None for it in items]
    if not items:
        return []
    if all(w is None for w in raw):
        return [1.0 / len(items)] * len(items)
    out: list[float] = []
    ok = True
    for n, w in enumerate(raw):
        p = (*path, key, n, "weight")
        if w is None:
            err.add(p, f"weight missing: give a weight to every {what} of this level or to none")
            ok = False
        elif isinstance(w, bool) or not isinstance(w, int | float):
            err.add(p, f"weight {w!r} is not a number")
            ok = False
        elif w < 0:
            err.add(p, f"weight {w} is negative")
            ok = False
        out.append(float(w) if isinstance(w, int | float) and not isinstance(w, bool) else 0.0)
    total = sum(out)
    if ok and abs(total - 1.0) > WEIGHT_TOLERANCE:
        err.add(
            (*path, key),
            f"weights of the {what}s here sum to {total:.6g}, not 1",
        )
    return out


def _list(d: Mapping[str, Any], key: str, path: Path_, err: _Errors) -> list[Any]:
    v = d.get(key)
    if not isinstance(v, list) or not v:
        err.add((*path, key), f"'{key}' must be a non-empty list")
        return []
    return v


def parse_framework(
    data: Any,
    *,
    source: str = "<framework>",
    lines: Mapping[Path_, int] | None = None,
    known_codes: Collection[str] | None = None,
) -> Framework:
    """Validate a framework document (already parsed from YAML) and build a :class:`Framework`.

    Parameters
    ----------
    data
        The mapping read from the file.
    source
        File name used in messages.
    lines
        Line number of each YAML path (``("pillars", 0, "weight")`` -> 12), when known.
    known_codes
        Raw indicator codes the data can supply; ``None`` skips the check.

    Raises
    ------
    ValidationError
        With ``errors`` = one ``{"field", "message"}`` per problem, messages ``file:line: reason``.
    """
    err = _Errors(source, lines)
    if not isinstance(data, Mapping):
        err.add((), "a framework file must be a mapping with 'code', 'name_en' and 'pillars'")
        err.raise_if_any("framework")
    code = _text(data, "code", (), err, required=True)
    name_en = _text(data, "name_en", (), err, required=True)
    name_zh = _text(data, "name_zh", (), err, required=False)
    unit_kind = _text(data, "unit_kind", (), err, required=False) or "region"
    if unit_kind not in UNIT_KINDS:
        err.add(("unit_kind",), f"unit_kind {unit_kind!r} must be one of {', '.join(UNIT_KINDS)}")
    dens_raw = data.get("denominators") or {}
    denominators: dict[str, str] = {}
    if not isinstance(dens_raw, Mapping):
        err.add(("denominators",), "'denominators' must map population/gdp to input codes")
    else:
        for k, v in dens_raw.items():
            if k not in ("population", "gdp"):
                err.add(("denominators", k), f"unknown denominator {k!r}; use population or gdp")
            elif known_codes is not None and str(v) not in known_codes:
                err.add(("denominators", k), f"unknown indicator code {v!r}")
            else:
                denominators[str(k)] = str(v)

    seen: dict[str, Path_] = {}

    def unique(c: str, path: Path_) -> None:
        if not c:
            return
        if c in seen:
            first = err.line(seen[c])
            at = f" (first at line {first})" if first is not None else ""
            err.add(path, f"duplicate code {c!r}{at}")
        else:
            seen[c] = path

    pillars_raw = _list(data, "pillars", (), err)
    pw = _weights(pillars_raw, (), "pillars", "pillar", err)
    pillars: list[Pillar] = []
    for pi, p in enumerate(pillars_raw):
        ppath: Path_ = ("pillars", pi)
        if not isinstance(p, Mapping):
            err.add(ppath, "a pillar must be a mapping")
            continue
        pcode = _text(p, "code", ppath, err, required=True)
        unique(pcode, (*ppath, "code"))
        subs_raw = _list(p, "sub_pillars", ppath, err)
        sw = _weights(subs_raw, ppath, "sub_pillars", "sub-pillar", err)
        subs: list[SubPillar] = []
        for si, s in enumerate(subs_raw):
            spath: Path_ = (*ppath, "sub_pillars", si)
            if not isinstance(s, Mapping):
                err.add(spath, "a sub-pillar must be a mapping")
                continue
            scode = _text(s, "code", spath, err, required=True)
            unique(scode, (*spath, "code"))
            inds_raw = _list(s, "indicators", spath, err)
            iw = _weights(inds_raw, spath, "indicators", "indicator", err)
            inds: list[Indicator] = []
            for ii, ind in enumerate(inds_raw):
                ipath: Path_ = (*spath, "indicators", ii)
                if not isinstance(ind, Mapping):
                    err.add(ipath, "an indicator must be a mapping")
                    continue
                inds.append(
                    _indicator(ind, ipath, iw[ii], pcode, scode, denominators, known_codes, err)
                )
                unique(inds[-1].code, (*ipath, "code"))
            subs.append(
                SubPillar(
                    code=scode,
                    name_en=_text(s, "name_en", spath, err, required=True),
                    name_zh=_text(s, "name_zh", spath, err, required=False),
                    weight=sw[si] if si < len(sw) else 0.0,
                    indicators=tuple(inds),
                    pillar=pcode,
                )
            )
        pillars.append(
            Pillar(
                code=pcode,
                name_en=_text(p, "name_en", ppath, err, required=True),
                name_zh=_text(p, "name_zh", ppath, err, required=False),
                weight=pw[pi] if pi < len(pw) else 0.0,
                sub_pillars=tuple(subs),
            )
        )
    budget = _budget(data.get("budget"), seen, err)
    err.raise_if_any(f"framework {source}")
    return Framework(
        code=code,
        name_en=name_en,
        name_zh=name_zh,
        description=_text(data, "description", (), err, required=False),
        unit_kind=unit_kind,
        pillars=tuple(pillars),
        denominators=denominators,
        budget=budget,
        source=source,
    )


def _indicator(
    d: Mapping[str, Any],
    path: Path_,
    weight: float,
    pillar: str,
    sub: str,
    denominators: Mapping[str, str],
    known_codes: Collection[str] | None,
    err: _Errors,
) -> Indicator:
    code = _text(d, "code", path, err, required=True)
    direction = _text(d, "direction", path, err, required=False) or "higher"
    if direction not in DIRECTIONS:
        err.add((*path, "direction"), f"direction {direction!r} must be 'higher' or 'lower'")
    inputs_raw = d.get("inputs", [code])
    if isinstance(inputs_raw, str):
        inputs_raw = [inputs_raw]
    if not isinstance(inputs_raw, list) or not inputs_raw:
        err.add((*path, "inputs"), "'inputs' must be a code or a list of codes")
        inputs_raw = []
    inputs = tuple(str(x) for x in inputs_raw)
    if known_codes is not None:
        for n, c in enumerate(inputs):
            if c not in known_codes:
                err.add((*path, "inputs", n), f"unknown indicator code {c!r}")
    tr_raw = d.get("transform") or []
    if isinstance(tr_raw, str):
        tr_raw = [] if tr_raw == "none" else [tr_raw]
    transform: list[str] = []
    for t in tr_raw if isinstance(tr_raw, list) else [tr_raw]:
        if t not in TRANSFORMS:
            err.add((*path, "transform"), f"unknown transform {t!r}; use {', '.join(TRANSFORMS)}")
        else:
            transform.append(str(t))
    for t, den in (("per_capita", "population"), ("per_gdp", "gdp")):
        if t in transform and den not in denominators:
            err.add((*path, "transform"), f"{t} needs 'denominators: {{{den}: CODE}}'")
    target = d.get("target")
    if target is not None and (isinstance(target, bool) or not isinstance(target, int | float)):
        err.add((*path, "target"), f"target {target!r} is not a number")
        target = None
    return Indicator(
        code=code,
        name_en=_text(d, "name_en", path, err, required=True),
        name_zh=_text(d, "name_zh", path, err, required=False),
        unit=_text(d, "unit", path, err, required=False),
        direction=direction,
        weight=weight,
        source=_text(d, "source", path, err, required=False),
        inputs=inputs,
        transform=tuple(transform),
        target=float(target) if target is not None else None,
        pillar=pillar,
        sub_pillar=sub,
    )


def _budget(raw: Any, seen: Mapping[str, Path_], err: _Errors) -> tuple[Mapping[str, float], ...]:
    """Budget allocation: ``budget: [{CODE: points, ...}, ...]`` one mapping per expert."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        err.add(("budget",), "'budget' must be a list of {indicator code: points} per expert")
        return ()
    out = []
    for n, expert in enumerate(raw):
        if not isinstance(expert, Mapping):
            err.add(("budget", n), "each expert's budget must map indicator codes to points")
            continue
        alloc: dict[str, float] = {}
        for c, pts in expert.items():
            if c not in seen:
                err.add(("budget", n, c), f"unknown indicator {c!r} in budget")
            elif isinstance(pts, bool) or not isinstance(pts, int | float) or pts < 0:
                err.add(("budget", n, c), f"points {pts!r} must be a number >= 0")
            else:
                alloc[str(c)] = float(pts)
        out.append(alloc)
    return tuple(out)
