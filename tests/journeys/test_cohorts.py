"""Cohorts / retention, with answers computed by hand.

Calendar used below (2026, UTC): Mon 5 Jan, Sun 11 Jan, Mon 12 Jan, Mon 19 Jan,
Mon 26 Jan, Mon 2 Feb; months Jan, Feb, Mar.
"""

from __future__ import annotations

import pytest

from omnicx.errors import ValidationError

ORDER = "Order Completed"


def test_weekly_retention_sunday_monday_boundary(journeys_for, run_analysis):
    journeys_for(
        {
            # cohort week of Mon 5 Jan (order on Sun 11 Jan 23:59:59.999)
            "ann": [
                ("2026-01-11T23:59:59.999Z", "web", ORDER, {"revenue": 10}),
                ("2026-01-12T00:00:00Z", "store", ORDER),  # week +1
                ("2026-01-26T09:00:00Z", "web", ORDER),  # week +3
            ],
            # cohort week of Mon 12 Jan (order on Mon 12 Jan 00:00)
            "bob": [
                ("2026-01-12T00:00:00Z", "store", ORDER),
                ("2026-01-18T23:00:00Z", "store", ORDER),  # same week: period 0
                ("2026-01-19T10:00:00Z", "web", "Product Viewed"),  # not a return
                ("2026-01-26T10:00:00Z", "call_center", ORDER),  # week +2
            ],
            # cohort week of Mon 5 Jan, never returns; earlier browsing is ignored
            "cat": [
                ("2026-01-01T08:00:00Z", "web", "Product Viewed"),
                ("2026-01-05T00:00:00Z", "web", ORDER),
            ],
            # no order: no cohort
            "dan": [("2026-02-02T10:00:00Z", "web", "Product Viewed")],
        }
    )
    result = run_analysis("cohorts", {"periods": 5})
    # the latest event in scope is dan's, Mon 2 Feb: week +4 of 5 Jan has started,
    # week +4 of 12 Jan (9 Feb) has not.
    assert result["observed_until"] == "2026-02-02T10:00:00Z"
    assert result["offsets"] == [0, 1, 2, 3, 4]
    assert result["cohorts"] == [
        {
            "cohort": "2026-01-05",
            "size": 2,
            "retained": [2, 1, 0, 1, 0],
            "retention": [1.0, 0.5, 0.0, 0.5, 0.0],
        },
        {
            "cohort": "2026-01-12",
            "size": 1,
            "retained": [1, 0, 1, 0, None],
            "retention": [1.0, 0.0, 1.0, 0.0, None],
        },
    ]
    assert result["overall"] == {
        "size": 3,
        "eligible": [3, 3, 3, 3, 2],
        "retained": [3, 1, 1, 1, 0],
        "retention": [1.0, 1 / 3, 1 / 3, 1 / 3, 0.0],
    }
    assert result["by_first_channel"] is None


def test_first_channel_split_and_out_of_order_arrival(journeys_for, run_analysis):
    people = {
        "ann": [
            ("2026-01-06T10:00:00Z", "web", ORDER),
            ("2026-01-06T10:00:00.001Z", "store", ORDER),
            ("2026-01-13T10:00:00Z", "store", ORDER),  # week +1
        ],
        "bob": [
            ("2026-01-07T10:00:00Z", "store", ORDER),
            ("2026-01-21T10:00:00Z", "store", ORDER),  # week +2
        ],
        "cat": [
            ("2026-01-15T10:00:00Z", "web", ORDER),
            ("2026-01-22T10:00:00Z", "web", ORDER),  # week +1
        ],
    }
    journeys_for(people, shuffle=True)
    result = run_analysis("cohorts", {"periods": 3, "by_first_channel": True})
    assert [(c["cohort"], c["retained"]) for c in result["cohorts"]] == [
        ("2026-01-05", [2, 1, 1]),
        ("2026-01-12", [1, 1, None]),
    ]
    split = {c["channel"]: c for c in result["by_first_channel"]}
    assert [c["channel"] for c in result["by_first_channel"]] == ["web", "store"]
    assert [(c["cohort"], c["retained"]) for c in split["web"]["cohorts"]] == [
        ("2026-01-05", [1, 1, 0]),
        ("2026-01-12", [1, 1, None]),
    ]
    assert split["web"]["overall"]["retention"] == [1.0, 1.0, 0.0]
    assert [(c["cohort"], c["retained"]) for c in split["store"]["cohorts"]] == [
        ("2026-01-05", [1, 0, 1]),
    ]
    assert split["store"]["size"] == 1 and split["web"]["size"] == 2


def test_monthly_cohorts_first_seen_and_any_return(journeys_for, run_analysis):
    journeys_for(
        {
            "ann": [
                ("2026-01-31T23:59:59Z", "email", "Email Opened"),  # Jan cohort
                ("2026-02-01T00:00:00Z", "web", "Page Viewed", {"path": "/"}),  # +1
                ("2026-03-31T12:00:00Z", "sms", "SMS Delivered"),  # +2
            ],
            "bob": [
                ("2026-02-10T10:00:00Z", "store", "Store Visited"),  # Feb cohort
                ("2026-02-28T10:00:00Z", "store", ORDER),  # same month: period 0
            ],
        }
    )
    result = run_analysis(
        "cohorts",
        {
            "period": "month",
            "cohort_event": "first_seen",
            "return_event": "any",
            "periods": "3",
        },
    )
    assert [(c["cohort"], c["size"], c["retained"]) for c in result["cohorts"]] == [
        ("2026-01-01", 1, [1, 1, 1]),
        ("2026-02-01", 1, [1, 0, None]),  # April has not started by 31 Mar
    ]
    # only orders count as returns: ann made none, bob's is in its own month
    orders = run_analysis(
        "cohorts",
        {"period": "month", "cohort_event": "first_seen", "periods": 3},
    )
    assert [c["retained"] for c in orders["cohorts"]] == [[1, 0, 0], [1, 0, None]]


def test_merged_profile_is_one_cohort_member(journeys_for, run_analysis):
    anonymous = {"userId": None, "anonymousId": "anon-eve"}
    profiles = journeys_for(
        {
            "eve": [
                # an anonymous web order, then a store order that links the two
                ("2026-01-06T10:00:00Z", "web", ORDER, {}, anonymous),
                (
                    "2026-01-14T10:00:00Z",
                    "store",
                    ORDER,
                    {},
                    {"anonymousId": "anon-eve"},
                ),
            ],
        },
        shuffle=True,
    )
    assert profiles["eve"] is not None
    result = run_analysis("cohorts", {"periods": 2, "by_first_channel": True})
    assert [(c["cohort"], c["size"], c["retained"]) for c in result["cohorts"]] == [
        ("2026-01-05", 1, [1, 1]),
    ]
    assert [c["channel"] for c in result["by_first_channel"]] == ["web"]


def test_scope_range_channels_and_empty_range(journeys_for, run_analysis):
    journeys_for(
        {
            "ann": [
                ("2026-01-06T10:00:00Z", "web", ORDER),
                ("2026-01-13T10:00:00Z", "store", ORDER),
                ("2026-01-20T10:00:00Z", "web", ORDER),
            ],
        }
    )
    # from the 12th: the first order seen is the store one, week of 12 Jan
    later = run_analysis("cohorts", {"periods": 2, "from": "2026-01-12"})
    assert [(c["cohort"], c["retained"]) for c in later["cohorts"]] == [
        ("2026-01-12", [1, 1]),
    ]
    web_only = run_analysis("cohorts", {"periods": 3, "channels": ["web"]})
    assert [(c["cohort"], c["retained"]) for c in web_only["cohorts"]] == [
        ("2026-01-05", [1, 0, 1]),
    ]
    empty = run_analysis("cohorts", {"from": "2025-01-01", "to": "2025-02-01"})
    assert empty["cohorts"] == [] and empty["observed_until"] is None
    assert empty["overall"] == {
        "size": 0,
        "eligible": [0] * 8,
        "retained": [0] * 8,
        "retention": [None] * 8,
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"periods": 0}, "periods"),
        ({"periods": 500}, "periods"),
        ({"periods": "many"}, "periods"),
        ({"period": "day"}, "period"),
        ({"cohort_event": "  "}, "cohort_event"),
        ({"return_event": ""}, "return_event"),
        ({"by_first_channel": "maybe"}, "by_first_channel"),
        ({"perod": "week"}, "perod"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
    ],
)
def test_validation_errors_name_the_field(run_analysis, query, field):
    with pytest.raises(ValidationError) as error:
        run_analysis("cohorts", query)
    assert [e.field for e in error.value.errors] == [field]
