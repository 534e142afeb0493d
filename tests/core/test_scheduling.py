"""CP-SAT meeting scheduler: feasibility on random instances, optimality by brute force."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from silkhub.core.scheduling import (
    MeetingRequest,
    Participant,
    Schedule,
    Slot,
    Table,
    check_schedule,
    merge_requests,
    solve_schedule,
)
from silkhub.errors import ValidationError


def _solve(ps, slots, tables, reqs, **kw) -> Schedule:
    return solve_schedule(ps, slots, tables, reqs, time_limit_s=10, workers=1, **kw)


def test_merge_requests_mutual_and_weights() -> None:
    merged = merge_requests(
        [
            MeetingRequest("b", "a", 2.0),
            MeetingRequest("a", "b", 1.0),  # both sides asked -> mutual, weight 3
            MeetingRequest("a", "c", 1.5),  # one-sided
            MeetingRequest("d", "c", 1.0, mutual=True),  # flagged mutual -> 2 x 1.0
        ]
    )
    assert merged == {("a", "b"): (3.0, True), ("a", "c"): (1.5, False), ("c", "d"): (2.0, True)}
    with pytest.raises(ValidationError):
        merge_requests([MeetingRequest("a", "b", -1)])


def test_small_hand_made_instance() -> None:
    # a wants b (3) and c (1); b wants c (1); 2 slots, 1 table; slot 2 is a break.
    # One table -> at most one meeting per open slot; open slots 1 and 3.
    # Best: a-b (3) + a-c or b-c (1) = 4, upper bound 4.
    ps = [Participant("a"), Participant("b"), Participant("c", available=frozenset({3}))]
    slots = [Slot(1), Slot(2, is_break=True), Slot(3)]
    reqs = [MeetingRequest("a", "b", 3), MeetingRequest("a", "c", 1), MeetingRequest("b", "c", 1)]
    s = _solve(ps, slots, [Table("T1")], reqs)
    assert s.objective == pytest.approx(4.0)
    assert s.status == "OPTIMAL"
    assert check_schedule(s, ps, slots, [Table("T1")]) == []
    ab = next(m for m in s.meetings if {m.a, m.b} == {"a", "b"})
    assert ab.slot == 1  # c only available in 3, so a-b must take slot 1
    assert len(s.unmet) == 1
    assert "taken by higher-weighted meetings" in s.unmet[0].reason
    assert s.lp_bound is not None and s.lp_bound >= s.objective - 1e-9
    assert s.gap is not None and s.gap >= 0
    assert [m.slot for m in s.agenda("c")] == [3]


def test_unmet_reasons() -> None:
    ps = [
        Participant("a", available=frozenset({1})),
        Participant("b", available=frozenset({2})),
        Participant("c", max_meetings=1),
        Participant("d"),
        Participant("e"),
    ]
    slots = [Slot(1), Slot(2)]
    reqs = [
        MeetingRequest("a", "b"),  # no common slot
        MeetingRequest("c", "d", 2),
        MeetingRequest("c", "e", 1),  # c max 1 -> unmet
        MeetingRequest("a", "zz"),  # unknown
        MeetingRequest("d", "d"),
    ]
    s = _solve(ps, slots, [Table("T1"), Table("T2")], reqs)
    reasons = {(u.a, u.b): u.reason for u in s.unmet}
    assert reasons[("a", "b")] == "no common available slot"
    assert "c reached the maximum of 1" in reasons[("c", "e")]
    assert "unknown participant zz" in reasons[("a", "zz")]
    assert "cannot meet itself" in reasons[("d", "d")]
    assert [(m.a, m.b) for m in s.meetings] == [("c", "d")]


def test_max_consecutive_break_rule() -> None:
    # a has 3 requests, 3 consecutive slots, but at most 2 meetings in a row -> 2 meetings
    ps = [Participant(x) for x in "abcd"]
    slots = [Slot(1), Slot(2), Slot(3)]
    reqs = [MeetingRequest("a", x) for x in "bcd"]
    s = _solve(ps, slots, [Table("T1"), Table("T2")], reqs, max_consecutive=2)
    assert len(s.meetings) == 2
    assert check_schedule(s, ps, slots, [Table("T1"), Table("T2")], max_consecutive=2) == []
    # with a break in the middle all three fit (1, [break], 3, 4)
    slots2 = [Slot(1), Slot(2, is_break=True), Slot(3), Slot(4)]
    s2 = _solve(ps, slots2, [Table("T1")], reqs, max_consecutive=2)
    assert len(s2.meetings) == 3


def test_needs_tables() -> None:
    with pytest.raises(ValidationError):
        solve_schedule([Participant("a")], [Slot(1)], [], [])


def _brute_force(ps, slots, tables, reqs) -> float:
    """Best total weight over every assignment of pairs to (no slot | a slot)."""
    merged = sorted(merge_requests(reqs).items())
    people = {p.id: p for p in ps}
    open_slots = [s.id for s in slots if not s.is_break]
    best = 0.0
    options = []
    for (a, b), (_w, _m) in merged:
        if a == b or a not in people or b not in people:
            options.append([None])
            continue
        opts = [None] + [
            t
            for t in open_slots
            if all(people[x].available is None or t in people[x].available for x in (a, b))
        ]
        options.append(opts)
    for combo in itertools.product(*options):
        busy: set = set()
        used: dict = {}
        count: dict = {}
        ok = True
        total = 0.0
        for ((a, b), (w, _m)), t in zip(merged, combo, strict=True):
            if t is None:
                continue
            if (a, t) in busy or (b, t) in busy:
                ok = False
                break
            busy |= {(a, t), (b, t)}
            used[t] = used.get(t, 0) + 1
            cap = sum(1 for tb in tables if tb.available is None or t in tb.available)
            if used[t] > cap:
                ok = False
                break
            for x in (a, b):
                count[x] = count.get(x, 0) + 1
                if people[x].max_meetings is not None and count[x] > people[x].max_meetings:
                    ok = False
            total += w
        if ok:
            best = max(best, total)
    return best


_ids = ["p0", "p1", "p2", "p3", "p4"]


@st.composite
def instances(draw, max_requests: int = 6):
    n_slots = draw(st.integers(1, 3))
    slot_ids = list(range(1, n_slots + 1))
    slots = [Slot(t, is_break=draw(st.booleans()) and t == 2) for t in slot_ids]
    ps = []
    for pid in _ids[: draw(st.integers(2, 5))]:
        av = draw(st.one_of(st.none(), st.frozensets(st.sampled_from(slot_ids))))
        mx = draw(st.one_of(st.none(), st.integers(0, 2)))
        ps.append(Participant(pid, available=av, max_meetings=mx))
    ids = [p.id for p in ps]
    tables = [
        Table(
            f"T{i}", available=draw(st.one_of(st.none(), st.frozensets(st.sampled_from(slot_ids))))
        )
        for i in range(draw(st.integers(1, 2)))
    ]
    reqs = draw(
        st.lists(
            st.builds(
                MeetingRequest,
                st.sampled_from(ids),
                st.sampled_from(ids),
                st.integers(0, 5).map(float),
                st.booleans(),
            ),
            max_size=max_requests,
        )
    )
    return ps, slots, tables, reqs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=instances())
def test_optimal_equals_brute_force(inst) -> None:
    ps, slots, tables, reqs = inst
    s = _solve(ps, slots, tables, reqs)
    assert check_schedule(s, ps, slots, tables) == []
    assert s.objective == pytest.approx(_brute_force(ps, slots, tables, reqs), abs=1e-6)
    assert s.lp_bound is not None and s.lp_bound >= s.objective - 1e-6


@st.composite
def big_instances(draw):
    n_slots = draw(st.integers(2, 8))
    slots = [Slot(t, is_break=(t == 4)) for t in range(1, n_slots + 1)]
    ids = [f"p{i}" for i in range(draw(st.integers(2, 25)))]
    slot_ids = [s.id for s in slots]
    ps = [
        Participant(
            pid,
            available=draw(st.one_of(st.none(), st.frozensets(st.sampled_from(slot_ids)))),
            max_meetings=draw(st.one_of(st.none(), st.integers(1, 4))),
        )
        for pid in ids
    ]
    tables = [Table(f"T{i}") for i in range(draw(st.integers(1, 6)))]
    reqs = draw(
        st.lists(
            st.builds(MeetingRequest, st.sampled_from(ids), st.sampled_from(ids),
                      st.floats(0, 3).map(lambda f: round(f, 2))),
            max_size=60,
        )
    )  # fmt: skip
    k = draw(st.one_of(st.none(), st.integers(1, 3)))
    return ps, slots, tables, reqs, k


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=big_instances())
def test_feasible_on_random_instances(inst) -> None:
    ps, slots, tables, reqs, k = inst
    s = solve_schedule(ps, slots, tables, reqs, max_consecutive=k, time_limit_s=5, workers=1)
    assert check_schedule(s, ps, slots, tables, max_consecutive=k) == []
    merged = merge_requests(reqs)
    # every pair is either met or unmet with a reason, never both
    met = {(m.a, m.b) for m in s.meetings}
    unmet = {(u.a, u.b) for u in s.unmet}
    assert met.isdisjoint(unmet)
    assert met | unmet == set(merged)
    assert all(u.reason for u in s.unmet)
    assert s.lp_bound is not None and s.lp_bound >= s.objective - 1e-6
