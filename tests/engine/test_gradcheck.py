"""engine.gradcheck: the one numerical gradient checker, against gradients known in closed form."""

from __future__ import annotations

import numpy as np
import pytest

from engine import gradcheck
from tests.gradcheck import check_grad


def test_numeric_grad_of_a_cubic_is_its_closed_form_derivative():
    x = np.array([[-1.5, 0.0], [0.25, 2.0]])
    numeric = gradcheck.numeric_grad(lambda v: float(np.sum(v**3 + 2 * v)), x)
    expected = 3 * x**2 + 2
    assert np.allclose(numeric, expected, atol=1e-8), f"numeric {numeric} vs 3x²+2 {expected}"


def test_numeric_grad_leaves_the_callers_array_alone():
    x = np.array([1.0, 2.0])
    gradcheck.numeric_grad(lambda v: float(v @ v), x)
    assert x.tolist() == [1.0, 2.0]


def test_mismatches_name_the_wrong_entry_with_both_values():
    numeric = np.array([[1.0, 2.0], [3.0, 4.0]])
    wrong = numeric.copy()
    wrong[1, 0] = 3.1
    assert gradcheck.mismatches(wrong, numeric) == [((1, 0), 3.1, 3.0)]
    assert gradcheck.mismatches(numeric, numeric) == []
    assert gradcheck.mismatches(np.asarray(2.0), np.asarray(2.5)) == [((), 2.0, 2.5)]


def test_agreement_is_relative_to_the_largest_gradient():
    analytic = [np.array([100.0, -50.0]), np.array([1.0])]
    close = [np.array([100.0 + 5e-5, -50.0]), np.array([1.0])]
    far = [np.array([100.0, -50.0]), np.array([1.01])]
    near = gradcheck.agreement(analytic, close)
    assert near["agree"] is True and near["max_abs_diff"] == pytest.approx(5e-5)
    off = gradcheck.agreement(analytic, far)
    assert off["agree"] is False, off
    assert off["max_rel_diff"] == pytest.approx(0.01 / 100.0)


def test_check_grad_fails_on_a_wrong_gradient_and_shows_both():
    x = np.array([0.5, -1.0])
    with pytest.raises(AssertionError, match=r"at \(1,\): analytic \+1") as caught:
        check_grad(lambda v: float(np.sum(v**2)), np.array([1.0, 1.0]), x, name="x²")
    assert "numeric -2" in str(caught.value), caught.value


def test_shapes_that_differ_and_a_bad_step_are_refused():
    with pytest.raises(ValueError, match=r"analytic shape \(2,\) != numeric shape \(3,\)"):
        gradcheck.mismatches(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="ε must be a small positive number"):
        gradcheck.numeric_grad(lambda v: 0.0, np.zeros(2), eps=0.0)
