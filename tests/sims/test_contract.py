"""The contract every sim module follows (``sims/_contract.py``), checked over all of them."""

from __future__ import annotations

import json

import numpy as np
import pytest

import sims
from sims._contract import dumps, to_jsonable

SIMS = sims.discover()


@pytest.mark.parametrize("name", sorted(SIMS))
def test_dumps_fast_path_writes_what_to_jsonable_writes(name: str) -> None:
    state = SIMS[name].initial_state({})
    slow = json.dumps(to_jsonable(state), separators=(",", ":"), allow_nan=False)
    fast = dumps(state)
    assert fast == slow, f"{name}: dumps differs from to_jsonable at char {_first_diff(fast, slow)}"


def test_dumps_converts_numpy_values() -> None:
    data = {"a": np.array([[1, 2]]), "f": np.float32(1.5), "i": np.int64(3), "b": np.bool_(True)}
    assert json.loads(dumps(data)) == {"a": [[1, 2]], "f": 1.5, "i": 3, "b": True}


@pytest.mark.parametrize(
    ("data", "error", "where"),
    [
        ({"a": [1.0, {"b": np.array([1.0, np.nan])}]}, ValueError, "state.a[1].b[1] is nan"),
        ({"a": [float("inf")]}, ValueError, "state.a[0] is inf"),
        ({"a": {"b": {1, 2}}}, TypeError, "state.a.b has type set"),
    ],
)
def test_dumps_names_the_path_of_a_bad_value(data: dict, error: type, where: str) -> None:
    with pytest.raises(error) as caught:
        dumps(data)
    assert where in str(caught.value), f"message {str(caught.value)!r} does not name {where!r}"


def _first_diff(a: str, b: str) -> int:
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
