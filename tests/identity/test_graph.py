"""The identity graph: merge rules, limits, and order-independence (hypothesis)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from omnicx.identity import (
    GraphView,
    MergeRules,
    extract_identities,
    link_identities,
    normalize_phone,
    resolve_components,
)

RULES = MergeRules()


def resolve(events, rules=RULES):
    view = GraphView()
    counter = itertools.count(1)
    for identities in events:
        link_identities(view, identities, rules, lambda: next(counter))
    return view


def partition(view: GraphView) -> set[frozenset]:
    return {frozenset(members) for members in view.members.values()}


def test_anonymous_browsing_then_login_merges_into_one_profile():
    view = resolve(
        [
            (("anonymous_id", "a1"),),
            (("email", "ana@x.com"), ("anonymous_id", "a2")),
            (("user_id", "u1"), ("email", "ana@x.com"), ("anonymous_id", "a1")),
        ]
    )
    assert partition(view) == {
        frozenset(
            {
                ("anonymous_id", "a1"),
                ("anonymous_id", "a2"),
                ("email", "ana@x.com"),
                ("user_id", "u1"),
            }
        )
    }


def test_shared_kiosk_device_never_merges_two_customers():
    kiosk = ("device_id", "kiosk-7")
    view = resolve(
        [
            (("user_id", "alice"), kiosk),
            (("user_id", "bob"), kiosk),
            (("user_id", "bob"), ("email", "bob@x.com")),
        ]
    )
    alice = view.profile_of[("user_id", "alice")]
    bob = view.profile_of[("user_id", "bob")]
    assert alice != bob
    assert view.profile_of[kiosk] == alice  # first come; bob's link was left out
    assert view.profile_of[("email", "bob@x.com")] == bob


def test_left_out_identity_does_not_drag_new_identities_to_the_wrong_profile():
    # Bob arrives with a new email on Alice's kiosk: the kiosk (lowest priority) is
    # left out, Bob and his email form their own profile.
    kiosk = ("device_id", "kiosk-7")
    view = resolve(
        [
            (("user_id", "alice"), kiosk),
            (("user_id", "bob"), ("email", "bob@x.com"), kiosk),
        ]
    )
    assert (
        view.profile_of[("email", "bob@x.com")] == view.profile_of[("user_id", "bob")]
    )
    assert view.profile_of[kiosk] == view.profile_of[("user_id", "alice")]


def test_email_limit_leaves_the_sixth_email_on_its_own_profile():
    events = [(("user_id", "u"), ("email", f"e{i}@x.com")) for i in range(6)]
    view = resolve(events)
    user = view.profile_of[("user_id", "u")]
    emails = [k for k in view.members[user] if k[0] == "email"]
    assert len(emails) == 5
    assert view.profile_of[("email", "e5@x.com")] != user
    # never dropped
    assert all(("email", f"e{i}@x.com") in view.profile_of for i in range(6))


def test_split_pairs_are_not_merged_again():
    view = GraphView.from_members(
        [(1, "email", "a@x.com"), (2, "anonymous_id", "z")], split_pairs=[(1, 2)]
    )
    link_identities(
        view, (("email", "a@x.com"), ("anonymous_id", "z")), RULES, lambda: 9
    )
    assert view.profile_of[("email", "a@x.com")] == 1
    assert view.profile_of[("anonymous_id", "z")] == 2


def test_extraction_normalises_and_blocks_placeholders():
    rules = MergeRules(default_region="IL")
    found = extract_identities(
        "null",
        "anon-1",
        {"email": "  Ana@Example.COM ", "phone": "052-123-4567", "loyalty_id": "L9"},
        {"externalIds": [{"id": "@ana", "type": "twitter_handle"}]},
        rules,
    )
    assert found == (
        ("email", "ana@example.com"),
        ("phone", "+972521234567"),
        ("loyalty_id", "L9"),
        ("twitter_handle", "@ana"),
        ("anonymous_id", "anon-1"),
    )


def test_phone_normalisation_to_e164():
    assert normalize_phone("+1 (415) 555-0100") == "+14155550100"
    assert normalize_phone("020 7946 0958", "GB") == "+442079460958"
    assert normalize_phone("not a phone") is None


# -- properties -------------------------------------------------------------------

USERS = [f"u{i}" for i in range(4)]
identity = st.one_of(
    st.sampled_from([("user_id", u) for u in USERS]),
    st.sampled_from([("email", f"{u}@x.com") for u in USERS]),
    st.sampled_from([("anonymous_id", f"a{i}") for i in range(8)]),
    st.sampled_from([("phone", f"+1415555010{i}") for i in range(4)]),
)


person_identities = {
    u: [("user_id", u), ("email", f"{u}@x.com"), ("phone", f"+1415555010{i}")]
    + [("anonymous_id", f"{u}-a{j}") for j in range(3)]
    for i, u in enumerate(USERS)
}


@st.composite
def consistent_events(draw):
    events = []
    for _ in range(draw(st.integers(1, 25))):
        person = draw(st.sampled_from(USERS))
        ids = draw(
            st.lists(
                st.sampled_from(person_identities[person]),
                min_size=1,
                max_size=4,
                unique=True,
            )
        )
        events.append(tuple(sorted(ids, key=RULES.rank_key)))
    return events


@settings(max_examples=200, deadline=None)
@given(consistent_events(), st.randoms(use_true_random=False))
def test_resolution_is_independent_of_event_order(events, rnd):
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert partition(resolve(events)) == partition(resolve(shuffled))


@settings(max_examples=200, deadline=None)
@given(consistent_events(), st.integers(1, 5))
def test_resolution_is_independent_of_batching_and_matches_bulk(events, batches):
    # Bulk resolution (connected components) reaches the same partition as
    # incremental linking, whatever the arrival batching.
    keys, labels = resolve_components(events, RULES)
    bulk: dict[int, set] = {}
    for key, label in zip(keys, labels, strict=True):
        bulk.setdefault(int(label), set()).add(key)
    assert {frozenset(v) for v in bulk.values()} == partition(resolve(events))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(identity, min_size=1, max_size=4, unique=True), max_size=30))
def test_never_drops_an_identity_and_never_breaks_limits(raw_events):
    events = [tuple(sorted(e, key=RULES.rank_key)) for e in raw_events]
    view = resolve(events)
    for e in events:
        for key in e:
            assert key in view.profile_of
    for members in view.members.values():
        assert sum(1 for t, _ in members if t == "user_id") <= 1
        assert sum(1 for t, _ in members if t == "email") <= 5
    # idempotent: replaying every event changes nothing
    before = partition(view)
    counter = itertools.count(10_000)
    for e in events:
        link_identities(view, e, RULES, lambda: next(counter))
    assert partition(view) == before


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(identity, min_size=1, max_size=4, unique=True), max_size=30))
def test_bulk_equals_incremental_even_when_rules_break_components(raw_events):
    events = [tuple(sorted(e, key=RULES.rank_key)) for e in raw_events]
    keys, labels = resolve_components(events, RULES)
    bulk: dict[int, set] = {}
    for key, label in zip(keys, labels, strict=True):
        bulk.setdefault(int(label), set()).add(key)
    assert {frozenset(v) for v in bulk.values()} == partition(resolve(events))
