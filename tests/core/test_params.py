"""Parameter validation: property-based checks that every bounded field refuses values outside its
range with one line naming the key, the value and what is allowed, and accepts values inside it."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abm.core.params import GROUPS, ModelParams, ServiceSpec, from_dict
from abm.errors import ParamError

BOUNDED = [
    (group, f) for group, cls in GROUPS.items() for f in dataclasses.fields(cls) if "range" in f.metadata
]
CHOICES = [(group, f) for group, cls in GROUPS.items() for f in dataclasses.fields(cls) if "choices" in f.metadata]


def field_ids(items):
    return [f"{g}.{f.name}" for g, f in items]


@pytest.mark.parametrize(("group", "f"), BOUNDED, ids=field_ids(BOUNDED))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_out_of_range_values_are_refused_naming_key_value_and_range(group, f, data):
    lo, hi = f.metadata["range"]
    outside = []
    if lo > -math.inf:
        outside.append(st.floats(min_value=lo - 1e6, max_value=lo, exclude_max=True, allow_nan=False))
    if hi < math.inf:
        outside.append(st.floats(min_value=hi, max_value=hi + 1e6, exclude_min=True, allow_nan=False))
    value = data.draw(st.one_of(*outside))
    if f.type == "int":
        value = math.floor(value) if value < lo else math.ceil(value)
        if lo <= value <= hi:
            return
    with pytest.raises(ParamError) as err:
        from_dict({group: {f.name: value}})
    message = str(err.value)
    assert message.startswith(f"{group}.{f.name}=") and str(lo) in message and "\n" not in message


@pytest.mark.parametrize(("group", "f"), BOUNDED, ids=field_ids(BOUNDED))
@settings(max_examples=10, deadline=None)
@given(fraction=st.floats(min_value=0, max_value=1))
def test_in_range_values_are_accepted_unless_another_field_constrains_them(group, f, fraction):
    lo, hi = f.metadata["range"]
    hi = min(hi, lo + 1000)
    value = lo + fraction * (hi - lo)
    if f.type == "int":
        value = int(round(value))
    try:
        params = from_dict({group: {f.name: value}})
    except ParamError as err:  # cross-field checks (e.g. n_staff >= n_units) may still refuse
        assert err.key.startswith(f"{group}.")
        return
    assert getattr(getattr(params, group), f.name) == value


@pytest.mark.parametrize(("group", "f"), CHOICES, ids=field_ids(CHOICES))
def test_unknown_choices_are_refused_listing_the_allowed_ones(group, f):
    with pytest.raises(ParamError) as err:
        from_dict({group: {f.name: "no_such_thing"}})
    assert all(c in str(err.value) for c in f.metadata["choices"])


@given(st.text(min_size=1, max_size=12).filter(lambda s: s.isidentifier()))
@settings(max_examples=25, deadline=None)
def test_unknown_keys_are_refused_by_name(key):
    names = {f.name for f in dataclasses.fields(GROUPS["learning"])}
    if key in names:
        return
    with pytest.raises(ParamError) as err:
        from_dict({"learning": {key: 1}})
    assert str(err.value).startswith(f"learning.{key}=")


def test_probabilities_must_be_numbers_not_strings_or_booleans():
    for bad in ("0.5", True, None, float("nan")):
        with pytest.raises(ParamError):
            from_dict({"learning": {"p_socialise": bad}})


def test_cross_field_checks_name_the_key():
    with pytest.raises(ParamError, match="organisation.n_staff"):
        from_dict({"organisation": {"n_units": 50, "n_staff": 10}})
    with pytest.raises(ParamError, match="organisation.n_innovation_units"):
        from_dict({"organisation": {"n_units": 3, "n_innovation_units": 3}})


def test_catalogue_entries_are_validated_with_their_index():
    bad = [dataclasses.asdict(ServiceSpec(name="a")), {**dataclasses.asdict(ServiceSpec(name="b")), "complexity": 2}]
    with pytest.raises(ParamError, match=r"services\.catalogue\[1\]\.complexity"):
        from_dict({"services": {"catalogue": bad}})
    with pytest.raises(ParamError, match="unique"):
        from_dict({"services": {"catalogue": [dataclasses.asdict(ServiceSpec(name="a"))] * 2}})


def test_defaults_are_valid():
    assert ModelParams().organisation.n_staff == 600


@pytest.mark.parametrize(("data", "key"), [
    ({"seed": 10**400}, "seed"),
    ({"weeks": -(10**400)}, "weeks"),
    ({"organisation": {"n_staff": 10**400}}, "organisation.n_staff"),
    ({"practice": {"budget": 10**400}}, "practice.budget"),
    ({"adoption": {"threshold_each": (10**400,)}}, "adoption.threshold_each"),
])
def test_integers_too_large_for_a_float_are_refused_by_range_not_overflow(data, key):
    with pytest.raises(ParamError) as err:
        from_dict(data)
    text = str(err.value)
    assert text.startswith(f"{key}=") and "an integer of 401 digits" in text and len(text) < 200


@pytest.mark.parametrize(("data", "keys"), [
    ({"organisation": {"n_units": 1, "n_innovation_units": 5}},
     ("organisation.n_innovation_units=5", "organisation.n_units (1)")),
    ({"organisation": {"n_units": 1}}, ("organisation.n_innovation_units=2", "organisation.n_units (1)")),
    ({"management": {"abandon_share": 0.7}}, ("management.abandon_share=0.7", "management.routinise_share (0.6)")),
    ({"management": {"routinise_share": 0.05}}, ("management.abandon_share=0.1", "management.routinise_share (0.05)")),
    ({"practice": {"name": "exploit_only", "budget": 0.1}}, ("practice.budget=0.1", "practice exploit_only")),
    ({"practice": {"name": "structural", "budget": 0.5, "innovation_share": 0.3},
      "organisation": {"n_units": 5, "n_staff": 20, "n_innovation_units": 1}},
     ("practice.budget=0.5", "at most 0.225 under structural")),
    ({"practice": {"name": "structural"}, "organisation": {"n_innovation_units": 0}},
     ("organisation.n_innovation_units=0", "under practice structural")),
    ({"care": {"baseline_remote_share": 0.5, "max_remote_share": 0.4}},
     ("care.baseline_remote_share=0.5", "care.max_remote_share (0.4)")),
    ({"services": {"catalogue": [{"name": "x", "arrival_week": 5, "start_share": 0.5}]}},
     ("services.catalogue[0].start_share=0.5", "arrival_week")),
    ({"services": {"catalogue": [{"name": "x", "remote": False, "substitution": 0.2}]}},
     ("services.catalogue[0].substitution=0.2", "remote")),
])
def test_cross_field_constraints_name_both_keys(data, keys):
    with pytest.raises(ParamError) as err:
        from_dict(data)
    assert all(k in str(err.value) for k in keys), str(err.value)


def test_a_services_cross_field_error_names_its_key_as_its_range_errors_do():
    with pytest.raises(ParamError) as err:
        from_dict({"services": {"catalogue": [{"name": "a"}, {"name": "x", "remote": False, "substitution": 0.2}]}})
    assert err.value.key == "services.catalogue[1].substitution"


def test_one_unit_with_no_innovation_units_is_valid():
    assert from_dict({"organisation": {"n_units": 1, "n_innovation_units": 0}}).organisation.n_units == 1
