"""B2B meeting scheduling for an event (matchmaking sessions, roadshows) with OR-Tools CP-SAT.

Model
-----
Participants ``p`` with available slots ``A_p`` and an optional maximum number of meetings
``m_p``; time slots ``t`` (break slots hold no meetings); tables/rooms, each available in some
slots; meeting requests between two participants with a priority. Requests for the same pair
are merged: a request made by both sides (or flagged mutual) is *mutual*, and the pair's weight
is the sum of the priorities of its requests (so a mutual request counts twice).

Variables ``x[r, t] ∈ {0, 1}`` for each pair ``r = {a, b}`` and each slot ``t`` in
``A_a ∩ A_b`` that is not a break.  CP-SAT solves::

    maximise    Σ_r Σ_t  w_r · x[r, t]
    subject to  Σ_t x[r, t] ≤ 1                                 (a pair meets at most once)
                Σ_{r ∋ p} x[r, t] ≤ 1            for all p, t    (no participant double-booked)
                Σ_{r ∋ p} Σ_t x[r, t] ≤ m_p      for all p       (maximum meetings)
                Σ_r x[r, t] ≤ tables(t)          for all t       (no table double-booked)
                Σ_{t in W} Σ_{r ∋ p} x[r, t] ≤ k for every window W of k + 1 consecutive
                                                 slots          (a break after k meetings)

Tables are interchangeable, so assigning them after solving (slot by slot, in order) is exact.
The LP relaxation (``x ∈ [0, 1]``, solved with HiGHS) gives an upper bound on the optimum;
``gap = (lp_bound - objective) / lp_bound``.

Unmet requests carry a reason: unknown participant, no common available slot, a side reached
its maximum, or every common slot was taken (by whom) by higher-weighted meetings.
Pure code: no database or files.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from silkhub.errors import ValidationError

logger = logging.getLogger(__name__)

#: CP-SAT wants integer coefficients; priorities are scaled by this and rounded
WEIGHT_SCALE = 1000


@dataclass(frozen=True)
class Participant:
    """Someone who takes meetings. ``available`` None means every slot."""

    id: str
    available: frozenset[int] | None = None
    max_meetings: int | None = None
    name: str = ""


@dataclass(frozen=True)
class Slot:
    """A time slot, identified by an integer ``id``; slots are ordered by ``id``."""

    id: int
    start: str = ""  # ISO 8601; informational (agendas)
    end: str = ""
    is_break: bool = False


@dataclass(frozen=True)
class Table:
    """A table or room. ``available`` None means every slot."""

    id: str
    available: frozenset[int] | None = None


@dataclass(frozen=True)
class MeetingRequest:
    """``requester`` asks to meet ``target``; ``mutual`` marks a request both sides made."""

    requester: str
    target: str
    priority: float = 1.0
    mutual: bool = False


@dataclass(frozen=True)
class ScheduledMeeting:
    a: str
    b: str
    slot: int
    table: str
    weight: float
    mutual: bool


@dataclass(frozen=True)
class UnmetRequest:
    a: str
    b: str
    weight: float
    mutual: bool
    reason: str


@dataclass
class Schedule:
    """The solver's answer: meetings, unmet pairs with reasons, objective and bounds."""

    meetings: list[ScheduledMeeting]
    unmet: list[UnmetRequest]
    objective: float
    lp_bound: float | None
    cp_bound: float | None
    status: str
    solve_seconds: float
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """``(lp_bound - objective) / lp_bound`` (0 when the bound is 0)."""
        if self.lp_bound is None:
            return None
        if self.lp_bound <= 0:
            return 0.0
        return max(0.0, (self.lp_bound - self.objective) / self.lp_bound)

    def agenda(self, participant: str) -> list[ScheduledMeeting]:
        """The meetings of one participant, in slot order."""
        return sorted((m for m in self.meetings if participant in (m.a, m.b)), key=lambda m: m.slot)


@dataclass(frozen=True)
class _Pair:
    a: str
    b: str
    weight: float
    mutual: bool
    slots: tuple[int, ...]


def merge_requests(requests: Sequence[MeetingRequest]) -> dict[tuple[str, str], tuple[float, bool]]:
    """Merge requests per unordered pair: ``{(a, b): (weight, mutual)}`` with ``a < b``.

    weight = sum of priorities (a mutual-flagged request counts for both sides: 2 × priority).

    >>> merge_requests([MeetingRequest("x", "y", 2), MeetingRequest("y", "x", 1)])
    {('x', 'y'): (3.0, True)}
    """
    acc: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for r in requests:
        if r.priority < 0:
            raise ValidationError(
                f"request {r.requester}->{r.target}: priority must be >= 0", field="priority"
            )
        key = (min(r.requester, r.target), max(r.requester, r.target))
        v = acc[key]
        if r.mutual:
            v[0] += 2 * r.priority
            v[1] = v[2] = 1.0
        else:
            v[0] += r.priority
            v[1 if r.requester == key[0] else 2] = 1.0
    return {k: (v[0], bool(v[1] and v[2])) for k, v in acc.items()}


def _prepare(
    participants: Sequence[Participant],
    slots: Sequence[Slot],
    requests: Sequence[MeetingRequest],
) -> tuple[list[_Pair], list[UnmetRequest], dict[str, Participant], list[int]]:
    people = {p.id: p for p in participants}
    if len(people) != len(participants):
        raise ValidationError("participant ids must be unique", field="participants")
    slot_ids = sorted(s.id for s in slots)
    if len(set(slot_ids)) != len(slot_ids):
        raise ValidationError("slot ids must be unique", field="slots")
    open_slots = [s.id for s in sorted(slots, key=lambda s: s.id) if not s.is_break]
    pairs: list[_Pair] = []
    unmet: list[UnmetRequest] = []
    for (a, b), (w, mutual) in sorted(merge_requests(requests).items()):
        if a == b:
            unmet.append(UnmetRequest(a, b, w, mutual, "a participant cannot meet itself"))
            continue
        missing = [x for x in (a, b) if x not in people]
        if missing:
            unmet.append(UnmetRequest(a, b, w, mutual, f"unknown participant {', '.join(missing)}"))
            continue
        pa, pb = people[a], people[b]
        common = [
            t
            for t in open_slots
            if (pa.available is None or t in pa.available)
            and (pb.available is None or t in pb.available)
        ]
        if not common:
            unmet.append(UnmetRequest(a, b, w, mutual, "no common available slot"))
            continue
        if pa.max_meetings == 0 or pb.max_meetings == 0:
            who = a if pa.max_meetings == 0 else b
            unmet.append(UnmetRequest(a, b, w, mutual, f"{who} takes no meetings (max 0)"))
            continue
        if w <= 0:
            unmet.append(UnmetRequest(a, b, w, mutual, "priority 0"))
            continue
        pairs.append(_Pair(a, b, w, mutual, tuple(common)))
    return pairs, unmet, people, open_slots


def _table_capacity(tables: Sequence[Table], open_slots: Sequence[int]) -> dict[int, int]:
    return {
        t: sum(1 for tb in tables if tb.available is None or t in tb.available) for t in open_slots
    }


def solve_schedule(
    participants: Sequence[Participant],
    slots: Sequence[Slot],
    tables: Sequence[Table],
    requests: Sequence[MeetingRequest],
    *,
    max_consecutive: int | None = None,
    time_limit_s: float = 30.0,
    workers: int = 2,
    seed: int = 0,
    lp_bound: bool = True,
    target_gap: float = 0.0,
) -> Schedule:
    """Schedule meetings maximising the total weight of accepted meetings (see module doc).

    Parameters
    ----------
    max_consecutive
        At most this many meetings in any run of consecutive open slots (a break after them).
    time_limit_s, workers, seed
        CP-SAT limits; the best solution found in time is returned (``status`` FEASIBLE) when
        optimality is not proved.
    lp_bound
        Also solve the LP relaxation for the upper bound (``Schedule.lp_bound``).
    target_gap
        Stop the search as soon as a solution is within this fraction of the LP bound
        (0 = search until optimal or the time limit).
    """
    from ortools.sat.python import cp_model

    if not tables:
        raise ValidationError("an event schedule needs at least one table or room", field="tables")
    if max_consecutive is not None and max_consecutive < 1:
        raise ValidationError("max_consecutive must be at least 1", field="max_consecutive")
    t0 = time.perf_counter()
    pairs, unmet, people, open_slots = _prepare(participants, slots, requests)
    cap = _table_capacity(tables, open_slots)
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    by_p_t: dict[tuple[str, int], list] = defaultdict(list)
    by_p: dict[str, list] = defaultdict(list)
    by_t: dict[int, list] = defaultdict(list)
    for i, pr in enumerate(pairs):
        vs = []
        for t in pr.slots:
            if cap.get(t, 0) <= 0:
                continue
            v = model.new_bool_var(f"x{i}_{t}")
            x[i, t] = v
            vs.append(v)
            by_p_t[pr.a, t].append(v)
            by_p_t[pr.b, t].append(v)
            by_t[t].append(v)
            by_p[pr.a].append(v)
            by_p[pr.b].append(v)
        if len(vs) > 1:
            model.add_at_most_one(vs)
    for vs in by_p_t.values():
        if len(vs) > 1:
            model.add_at_most_one(vs)
    for pid, vs in by_p.items():
        m = people[pid].max_meetings
        if m is not None and m < len(vs):
            model.add(sum(vs) <= m)
    for t, vs in by_t.items():
        if cap[t] < len(vs):
            model.add(sum(vs) <= cap[t])
    windows = _windows(open_slots, max_consecutive)
    if windows:
        for pid in by_p:
            for win in windows:
                vs = [v for t in win for v in by_p_t.get((pid, t), [])]
                if len(vs) > (max_consecutive or 0):
                    model.add(sum(vs) <= max_consecutive)
    wint = [max(1, round(pr.weight * WEIGHT_SCALE)) for pr in pairs]
    model.maximize(sum(wint[i] * v for (i, _t), v in x.items()))
    lp = _lp_bound(pairs, people, cap, open_slots, max_consecutive) if lp_bound else None
    # greedy warm start (one hint per variable)
    warm = set(_greedy(pairs, people, cap, open_slots, max_consecutive))
    for key, v in x.items():
        model.add_hint(v, 1 if key in warm else 0)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.num_workers = max(1, int(workers))
    solver.parameters.random_seed = int(seed)
    solver.parameters.symmetry_level = 0  # the orbitope detection costs more than it saves here
    solver.parameters.cp_model_probing_level = 0
    callback = _Progress(lp, target_gap)
    status = solver.solve(model, callback)
    status_name = solver.status_name(status)
    chosen: list[tuple[int, int]] = []
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = [(i, t) for (i, t), v in x.items() if solver.boolean_value(v)]
        cp_bound = solver.best_objective_bound / WEIGHT_SCALE
    else:  # no solution in time: fall back to the greedy one (always feasible)
        logger.warning("CP-SAT status %s: using the greedy schedule", status_name)
        chosen = _greedy(pairs, people, cap, open_slots, max_consecutive)
        cp_bound = None
    meetings = _assign_tables(pairs, chosen, tables)
    objective = sum(m.weight for m in meetings)
    met = {(m.a, m.b) for m in meetings}
    unmet.extend(_reasons(pairs, met, meetings, people, cap))
    unmet.sort(key=lambda u: (-u.weight, u.a, u.b))
    elapsed = time.perf_counter() - t0
    logger.info(
        "scheduled %d of %d pairs, objective %.2f, status %s in %.2fs",
        len(meetings), len(pairs), objective, status_name, elapsed,
    )  # fmt: skip
    return Schedule(
        meetings=sorted(meetings, key=lambda m: (m.slot, m.table)),
        unmet=unmet,
        objective=round(objective, 6),
        lp_bound=None if lp is None else round(lp, 6),
        cp_bound=cp_bound,
        status=status_name,
        solve_seconds=elapsed,
        stats={
            "pairs": len(pairs),
            "variables": len(x),
            "cp_sat_seconds": solver.wall_time,
            "first_solution_seconds": callback.first_at if callback.first_at is not None else -1,
            "solutions": callback.count,
        },
    )


def _progress_base() -> type:
    from ortools.sat.python import cp_model

    return cp_model.CpSolverSolutionCallback


class _Progress(_progress_base()):  # type: ignore[misc]
    """Counts solutions and stops when within ``target_gap`` of the LP bound."""

    def __init__(self, lp: float | None, target_gap: float) -> None:
        super().__init__()
        self.target = None if lp is None or target_gap <= 0 else (1 - target_gap) * lp
        self.t0 = time.perf_counter()
        self.first_at: float | None = None
        self.count = 0

    def on_solution_callback(self) -> None:
        self.count += 1
        if self.first_at is None:
            self.first_at = time.perf_counter() - self.t0
        if self.target is not None and self.objective_value / WEIGHT_SCALE >= self.target - 1e-9:
            self.stop_search()


def _windows(open_slots: Sequence[int], k: int | None) -> list[list[int]]:
    """Windows of ``k + 1`` consecutive open slots (consecutive ids, breaks interrupt runs)."""
    if k is None:
        return []
    runs: list[list[int]] = []
    for t in open_slots:
        if runs and runs[-1][-1] == t - 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    return [run[i : i + k + 1] for run in runs for i in range(len(run) - k)]


def _greedy(
    pairs: Sequence[_Pair],
    people: Mapping[str, Participant],
    cap: Mapping[int, int],
    open_slots: Sequence[int],
    k: int | None,
) -> list[tuple[int, int]]:
    """A quick feasible schedule: highest weight first into the earliest feasible slot, then
    a repair pass that moves one blocking meeting to another slot (or replaces a lighter one)
    to fit each unmet pair. Used as the CP-SAT warm start and as the fallback."""
    st = _GreedyState(pairs, people, cap, k)
    order = sorted(range(len(pairs)), key=lambda i: (-pairs[i].weight, len(pairs[i].slots), i))
    for i in order:
        st.insert(i)
    for _round in range(2):
        changed = False
        for i in order:
            if i not in st.slot_of and (st.insert(i) or st.insert_moving(i)):
                changed = True
        if not changed:
            break
    return sorted(st.slot_of.items())


class _GreedyState:
    def __init__(
        self,
        pairs: Sequence[_Pair],
        people: Mapping[str, Participant],
        cap: Mapping[int, int],
        k: int | None,
    ) -> None:
        self.pairs, self.people, self.cap, self.k = pairs, people, cap, k
        self.busy: dict[tuple[str, int], int] = {}
        self.count: dict[str, int] = defaultdict(int)
        self.used: dict[int, int] = defaultdict(int)
        self.slot_of: dict[int, int] = {}

    def _run_ok(self, p: str, t: int) -> bool:
        if self.k is None:
            return True
        run, s = 1, t - 1
        while (p, s) in self.busy:
            run, s = run + 1, s - 1
        s = t + 1
        while (p, s) in self.busy:
            run, s = run + 1, s + 1
        return run <= self.k

    def _room(self, p: str) -> bool:
        m = self.people[p].max_meetings
        return m is None or self.count[p] < m

    def fits(self, i: int, t: int) -> bool:
        pr = self.pairs[i]
        return (
            self.used[t] < self.cap.get(t, 0)
            and (pr.a, t) not in self.busy
            and (pr.b, t) not in self.busy
            and self._run_ok(pr.a, t)
            and self._run_ok(pr.b, t)
        )

    def place(self, i: int, t: int) -> None:
        pr = self.pairs[i]
        self.busy[pr.a, t] = self.busy[pr.b, t] = i
        self.count[pr.a] += 1
        self.count[pr.b] += 1
        self.used[t] += 1
        self.slot_of[i] = t

    def remove(self, i: int) -> int:
        pr, t = self.pairs[i], self.slot_of.pop(i)
        del self.busy[pr.a, t], self.busy[pr.b, t]
        self.count[pr.a] -= 1
        self.count[pr.b] -= 1
        self.used[t] -= 1
        return t

    def insert(self, i: int) -> bool:
        pr = self.pairs[i]
        if not (self._room(pr.a) and self._room(pr.b)):
            return False
        for t in pr.slots:
            if self.fits(i, t):
                self.place(i, t)
                return True
        return False

    def insert_moving(self, i: int) -> bool:
        """Fit pair ``i`` by moving the one meeting that blocks a slot, or replacing it."""
        pr = self.pairs[i]
        if not (self._room(pr.a) and self._room(pr.b)):
            return False
        best_swap: tuple[float, int, int] | None = None
        for t in pr.slots:
            blockers = {self.busy[p, t] for p in (pr.a, pr.b) if (p, t) in self.busy}
            if len(blockers) != 1:
                continue
            j = blockers.pop()
            t_old = self.remove(j)
            if self.fits(i, t):
                self.place(i, t)
                for t2 in self.pairs[j].slots:
                    if t2 != t and self.fits(j, t2):
                        self.place(j, t2)
                        return True
                self.remove(i)
            self.place(j, t_old)
            w_j = self.pairs[j].weight
            if w_j < pr.weight and (best_swap is None or w_j < best_swap[0]):
                best_swap = (w_j, j, t)
        if best_swap is not None:
            _w, j, t = best_swap
            t_old = self.remove(j)
            if self.fits(i, t):
                self.place(i, t)
                return True
            self.place(j, t_old)
        return False


def _assign_tables(
    pairs: Sequence[_Pair], chosen: Sequence[tuple[int, int]], tables: Sequence[Table]
) -> list[ScheduledMeeting]:
    per_slot: dict[int, list[int]] = defaultdict(list)
    for i, t in chosen:
        per_slot[t].append(i)
    out = []
    for t, idx in per_slot.items():
        free = [tb.id for tb in tables if tb.available is None or t in tb.available]
        for tb, i in zip(free, sorted(idx, key=lambda i: (pairs[i].a, pairs[i].b)), strict=False):
            pr = pairs[i]
            out.append(ScheduledMeeting(pr.a, pr.b, t, tb, pr.weight, pr.mutual))
    return out


def _reasons(
    pairs: Sequence[_Pair],
    met: set[tuple[str, str]],
    meetings: Sequence[ScheduledMeeting],
    people: Mapping[str, Participant],
    cap: Mapping[int, int],
) -> list[UnmetRequest]:
    busy: set[tuple[str, int]] = set()
    count: dict[str, int] = defaultdict(int)
    used: dict[int, int] = defaultdict(int)
    for m in meetings:
        busy.update({(m.a, m.slot), (m.b, m.slot)})
        count[m.a] += 1
        count[m.b] += 1
        used[m.slot] += 1
    out = []
    for pr in pairs:
        if (pr.a, pr.b) in met:
            continue
        full = [
            p
            for p in (pr.a, pr.b)
            if people[p].max_meetings is not None and count[p] >= people[p].max_meetings
        ]
        if full:
            reason = " and ".join(
                f"{p} reached the maximum of {people[p].max_meetings} meetings" for p in full
            )
        else:
            a_busy = sum(1 for t in pr.slots if (pr.a, t) in busy)
            b_busy = sum(1 for t in pr.slots if (pr.b, t) in busy)
            tables_full = sum(1 for t in pr.slots if used[t] >= cap.get(t, 0))
            bits = []
            if a_busy:
                bits.append(f"{pr.a} busy in {a_busy}")
            if b_busy:
                bits.append(f"{pr.b} busy in {b_busy}")
            if tables_full:
                bits.append(f"all tables taken in {tables_full}")
            reason = f"every common slot ({len(pr.slots)}) taken by higher-weighted meetings: " + (
                ", ".join(bits) if bits else "break rule (too many consecutive meetings)"
            )
        out.append(UnmetRequest(pr.a, pr.b, pr.weight, pr.mutual, reason))
    return out


def _lp_bound(
    pairs: Sequence[_Pair],
    people: Mapping[str, Participant],
    cap: Mapping[int, int],
    open_slots: Sequence[int],
    k: int | None,
) -> float:
    """Optimum of the LP relaxation (x in [0, 1]) with HiGHS: an upper bound on the objective."""
    import scipy.sparse as sp
    from scipy.optimize import linprog

    cols: list[tuple[int, int]] = [
        (i, t) for i, pr in enumerate(pairs) for t in pr.slots if cap.get(t, 0) > 0
    ]
    if not cols:
        return 0.0
    rows_i: list[int] = []
    rows_j: list[int] = []
    rhs: list[float] = []
    r = 0

    def add_row(js: list[int], b: float) -> None:
        nonlocal r
        rows_i.extend([r] * len(js))
        rows_j.extend(js)
        rhs.append(b)
        r += 1

    by_pair: dict[int, list[int]] = defaultdict(list)
    by_p_t: dict[tuple[str, int], list[int]] = defaultdict(list)
    by_p: dict[str, list[int]] = defaultdict(list)
    by_t: dict[int, list[int]] = defaultdict(list)
    for j, (i, t) in enumerate(cols):
        pr = pairs[i]
        by_pair[i].append(j)
        for p in (pr.a, pr.b):
            by_p_t[p, t].append(j)
            by_p[p].append(j)
        by_t[t].append(j)
    for js in by_pair.values():
        if len(js) > 1:
            add_row(js, 1.0)
    for js in by_p_t.values():
        if len(js) > 1:
            add_row(js, 1.0)
    for p, js in by_p.items():
        m = people[p].max_meetings
        if m is not None and m < len(js):
            add_row(js, float(m))
    for t, js in by_t.items():
        if cap[t] < len(js):
            add_row(js, float(cap[t]))
    if k is not None:
        for p in by_p:
            for win in _windows(open_slots, k):
                js = [j for t in win for j in by_p_t.get((p, t), [])]
                if len(js) > k:
                    add_row(js, float(k))
    c = -np.array([pairs[i].weight for i, _t in cols])
    if r == 0:
        return float(-c.sum())
    a_ub = sp.csr_matrix(
        (np.ones(len(rows_i)), (np.array(rows_i), np.array(rows_j))), shape=(r, len(cols))
    )
    # interior point (+ crossover) is far faster than dual simplex on this degenerate LP
    res = linprog(c, A_ub=a_ub, b_ub=np.array(rhs), bounds=(0, 1), method="highs-ipm")
    if res.status != 0:
        logger.warning("LP relaxation not solved: %s", res.message)
        return float(-c.sum())
    return float(-res.fun)


def check_schedule(
    schedule: Schedule,
    participants: Sequence[Participant],
    slots: Sequence[Slot],
    tables: Sequence[Table],
    *,
    max_consecutive: int | None = None,
) -> list[str]:
    """Violations of a schedule (empty list = feasible). Used by tests and after edits."""
    people = {p.id: p for p in participants}
    breaks = {s.id for s in slots if s.is_break}
    table_av = {tb.id: tb.available for tb in tables}
    problems = []
    seen_p: set[tuple[str, int]] = set()
    seen_tb: set[tuple[str, int]] = set()
    pairs: set[tuple[str, str]] = set()
    count: dict[str, int] = defaultdict(int)
    for m in schedule.meetings:
        if m.slot in breaks:
            problems.append(f"{m.a}-{m.b} in break slot {m.slot}")
        if (m.a, m.b) in pairs:
            problems.append(f"{m.a}-{m.b} meet twice")
        pairs.add((m.a, m.b))
        for p in (m.a, m.b):
            av = people[p].available
            if av is not None and m.slot not in av:
                problems.append(f"{p} not available in slot {m.slot}")
            if (p, m.slot) in seen_p:
                problems.append(f"{p} double-booked in slot {m.slot}")
            seen_p.add((p, m.slot))
            count[p] += 1
        if (m.table, m.slot) in seen_tb:
            problems.append(f"table {m.table} double-booked in slot {m.slot}")
        seen_tb.add((m.table, m.slot))
        tav = table_av.get(m.table, frozenset())
        if tav is not None and m.slot not in tav:
            problems.append(f"table {m.table} not available in slot {m.slot}")
    for p, n in count.items():
        mm = people[p].max_meetings
        if mm is not None and n > mm:
            problems.append(f"{p} has {n} meetings > max {mm}")
    if max_consecutive is not None:
        open_slots = sorted(s.id for s in slots if not s.is_break)
        for win in _windows(open_slots, max_consecutive):
            for p in people:
                if sum((p, t) in seen_p for t in win) > max_consecutive:
                    problems.append(f"{p} has more than {max_consecutive} meetings in a row")
    return problems
