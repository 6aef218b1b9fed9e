"""Scoring and level lookup: table-driven cases and property-based tests (hypothesis)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk import scoring
from risk.constants import LEVEL_ORDER
from risk.scoring import ScoringError

DEFAULT = scoring.default_matrix()


@pytest.mark.parametrize(
    ("likelihood", "impact", "level"),
    [
        (1, 1, "low"),
        (1, 4, "low"),
        (2, 2, "low"),
        (1, 5, "medium"),
        (3, 3, "medium"),
        (2, 4, "medium"),
        (2, 5, "high"),
        (4, 4, "high"),
        (3, 5, "high"),
        (4, 5, "critical"),
        (5, 4, "critical"),
        (5, 5, "critical"),
    ],
)
def test_default_matrix_levels(likelihood, impact, level):
    assert scoring.level_for(DEFAULT, likelihood, impact) == level


@pytest.mark.parametrize(
    ("likelihood", "impact", "field"),
    [
        (0, 3, "inherent_likelihood"),
        (6, 3, "inherent_likelihood"),
        (3, 0, "inherent_impact"),
        (3, 9, "inherent_impact"),
        (None, 3, "inherent_likelihood"),
        ("3", 3, "inherent_likelihood"),
        (True, 3, "inherent_likelihood"),
        (2.5, 3, "inherent_likelihood"),
    ],
)
def test_score_outside_the_scale_names_the_field(likelihood, impact, field):
    with pytest.raises(ScoringError) as exc:
        scoring.score(DEFAULT, likelihood, impact, 5, 5, prefix="inherent")
    assert field in exc.value.errors
    assert "between 1 and 5" in exc.value.errors[field][0]


@pytest.mark.parametrize(
    ("inherent", "residual", "field"),
    [
        ((3, 3), (4, 3), "residual_likelihood"),
        ((3, 3), (3, 4), "residual_impact"),
        ((2, 2), (5, 5), "residual_likelihood"),
    ],
)
def test_residual_above_inherent_is_refused(inherent, residual, field):
    errors = scoring.residual_errors(DEFAULT, inherent, residual)
    assert field in errors
    assert "cannot be above" in errors[field][0]


@pytest.mark.parametrize(("inherent", "residual"), [((4, 4), (2, 4)), ((3, 3), (3, 3)), ((5, 5), (1, 1))])
def test_residual_at_or_below_inherent_is_accepted(inherent, residual):
    assert scoring.residual_errors(DEFAULT, inherent, residual) == {}


@pytest.mark.parametrize(
    ("matrix_change", "message"),
    [
        ({"5,5": "low"}, "never lower the level"),
        ({"1,2": "critical"}, "never lower the level"),
        ({"3,3": "extreme"}, "Unknown levels"),
    ],
)
def test_matrix_problems_are_named(matrix_change, message):
    errors = scoring.matrix_errors({**DEFAULT, **matrix_change}, 5, 5)
    assert any(message in error for error in errors)


def test_matrix_with_missing_or_extra_cells_is_refused():
    missing = {k: v for k, v in DEFAULT.items() if k != "2,3"}
    assert "missing: 2,3" in scoring.matrix_errors(missing, 5, 5)[0]
    assert "outside the scales" in scoring.matrix_errors({**DEFAULT, "6,1": "high"}, 5, 5)[0]


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ([{"level": 1, "label": "Only"}], "between 2 and 10"),
        ([{"level": 1, "label": "A"}, {"level": 3, "label": "B"}], "without gaps"),
        ([{"level": 1, "label": "A"}, {"level": 2, "label": " "}], "label"),
        ("not a list", "must be a list"),
    ],
)
def test_scale_problems_are_named(levels, message):
    assert any(message in error for error in scoring.scale_errors(levels, name="likelihood"))


@pytest.mark.parametrize(
    ("level", "appetite", "within"),
    [("low", "medium", True), ("medium", "medium", True), ("high", "medium", False), ("critical", "high", False)],
)
def test_within_appetite(level, appetite, within):
    assert scoring.within_appetite(level, appetite) is within


def test_unknown_level_is_a_scoring_error():
    with pytest.raises(ScoringError):
        scoring.level_rank("extreme")


# --- Properties ---------------------------------------------------------------------------------------

sizes = st.integers(min_value=scoring.MIN_LEVELS, max_value=scoring.MAX_LEVELS)
levels = st.sampled_from(LEVEL_ORDER)


@st.composite
def any_matrix(draw):
    """A complete matrix with arbitrary levels (monotonic or not)."""
    n_l, n_i = draw(sizes), draw(sizes)
    cells = {scoring.cell_key(lk, im): draw(levels) for lk in range(1, n_l + 1) for im in range(1, n_i + 1)}
    return n_l, n_i, cells


@st.composite
def monotonic_matrix(draw):
    """A monotonic matrix built as a running maximum of random levels (always valid)."""
    n_l, n_i = draw(sizes), draw(sizes)
    ranks: dict[tuple[int, int], int] = {}
    for lk in range(1, n_l + 1):
        for im in range(1, n_i + 1):
            below = max(ranks.get((lk - 1, im), 0), ranks.get((lk, im - 1), 0))
            ranks[(lk, im)] = max(below, draw(st.integers(min_value=0, max_value=len(LEVEL_ORDER) - 1)))
    return n_l, n_i, {scoring.cell_key(lk, im): LEVEL_ORDER[r] for (lk, im), r in ranks.items()}


def _accepted(n_l, n_i, matrix) -> bool:
    return not scoring.matrix_errors(matrix, n_l, n_i)


@settings(max_examples=200, deadline=None)
@given(any_matrix(), st.data())
def test_any_accepted_matrix_never_lowers_the_level_as_likelihood_or_impact_grows(generated, data):
    n_l, n_i, matrix = generated
    if not _accepted(n_l, n_i, matrix):
        return  # the service refuses it (see the next property)
    lk = data.draw(st.integers(1, n_l))
    im = data.draw(st.integers(1, n_i))
    lk2 = data.draw(st.integers(lk, n_l))
    im2 = data.draw(st.integers(im, n_i))
    assert scoring.level_rank(scoring.level_for(matrix, lk2, im2)) >= scoring.level_rank(
        scoring.level_for(matrix, lk, im)
    )


@settings(max_examples=200, deadline=None)
@given(any_matrix())
def test_the_validator_refuses_exactly_the_matrices_that_lower_a_level(generated):
    n_l, n_i, matrix = generated
    lowers = any(
        scoring.level_rank(matrix[scoring.cell_key(lk2, im2)]) < scoring.level_rank(matrix[scoring.cell_key(lk, im)])
        for lk in range(1, n_l + 1)
        for im in range(1, n_i + 1)
        for lk2 in range(lk, n_l + 1)
        for im2 in range(im, n_i + 1)
    )
    assert _accepted(n_l, n_i, matrix) is not lowers


@settings(max_examples=200, deadline=None)
@given(monotonic_matrix(), st.data())
def test_monotonic_matrices_are_accepted_and_monotonic(generated, data):
    n_l, n_i, matrix = generated
    assert _accepted(n_l, n_i, matrix)
    lk, im = data.draw(st.integers(1, n_l)), data.draw(st.integers(1, n_i))
    if lk < n_l:
        assert scoring.level_rank(matrix[scoring.cell_key(lk + 1, im)]) >= scoring.level_rank(
            matrix[scoring.cell_key(lk, im)]
        )
    if im < n_i:
        assert scoring.level_rank(matrix[scoring.cell_key(lk, im + 1)]) >= scoring.level_rank(
            matrix[scoring.cell_key(lk, im)]
        )


@settings(max_examples=100, deadline=None)
@given(sizes, sizes)
def test_default_matrix_is_complete_and_monotonic_for_every_size(n_l, n_i):
    matrix = scoring.default_matrix(n_l, n_i)
    assert _accepted(n_l, n_i, matrix)


@settings(max_examples=200, deadline=None)
@given(monotonic_matrix(), st.data())
def test_a_residual_no_higher_than_the_inherent_never_has_a_higher_level(generated, data):
    n_l, n_i, matrix = generated
    in_l, in_i = data.draw(st.integers(1, n_l)), data.draw(st.integers(1, n_i))
    re_l, re_i = data.draw(st.integers(1, in_l)), data.draw(st.integers(1, in_i))
    assert scoring.residual_errors(matrix, (in_l, in_i), (re_l, re_i)) == {}


@settings(max_examples=200, deadline=None)
@given(monotonic_matrix(), st.data())
def test_a_residual_above_the_inherent_on_either_factor_is_always_refused(generated, data):
    n_l, n_i, matrix = generated
    in_l, in_i = data.draw(st.integers(1, n_l)), data.draw(st.integers(1, n_i))
    re_l, re_i = data.draw(st.integers(1, n_l)), data.draw(st.integers(1, n_i))
    errors = scoring.residual_errors(matrix, (in_l, in_i), (re_l, re_i))
    assert bool(errors) is (re_l > in_l or re_i > in_i)


@settings(max_examples=200, deadline=None)
@given(st.integers(-5, 15), st.integers(-5, 15), sizes, sizes)
def test_scores_are_accepted_only_inside_the_scales(likelihood, impact, n_l, n_i):
    errors = scoring.score_errors(likelihood, impact, n_l, n_i, prefix="inherent")
    assert ("inherent_likelihood" in errors) is not (1 <= likelihood <= n_l)
    assert ("inherent_impact" in errors) is not (1 <= impact <= n_i)
