from datetime import date

import pytest

from silkhub.core.commitments import CommitmentFact, performance


def test_docstring_example_by_hand():
    as_of = date(2021, 1, 1)
    items = [
        CommitmentFact(1, "fulfilled", date(2020, 6, 30), date(2020, 6, 1), 100.0, 100.0),
        CommitmentFact(2, "fulfilled", date(2020, 9, 30), date(2020, 10, 15), 50.0, None),
        CommitmentFact(3, "open", date(2020, 12, 1), None, 10.0),
        CommitmentFact(4, "open", date(2021, 6, 30), None, None),
        CommitmentFact(5, "cancelled", date(2020, 1, 1), None, 1000.0),
    ]
    p = performance(items, as_of)
    # evaluated = 1 (on time) + 2 (late) + 3 (overdue 31 days); 4 pending; 5 cancelled
    assert (p.commitments, p.evaluated, p.on_time, p.late, p.overdue) == (5, 3, 1, 1, 1)
    assert (p.pending, p.cancelled) == (1, 1)
    assert p.on_time_rate == pytest.approx(1 / 3)
    assert p.overdue_ids == [3] and p.max_days_overdue == 31
    # committed 100 + 50 + 10 = 160 (cancelled excluded); fulfilled 100 + 50 (no separate
    # fulfilled amount → the committed one) = 150; rate 150 / 160 = 0.9375
    assert (p.committed_usd, p.fulfilled_usd) == (160.0, 150.0)
    assert p.fulfilment_rate == pytest.approx(0.9375)


def test_nothing_evaluated_yet():
    p = performance([CommitmentFact(1, "open", date(2030, 1, 1))], date(2021, 1, 1))
    assert p.on_time_rate is None and p.fulfilment_rate is None and p.pending == 1
