"""The intent model's stored weights score a message as the fitted matrix does: the rows kept whole
and the rows kept in part add up to the same logits, up to half precision and the weights too small
to keep."""

import numpy as np

from bot.nlu.linear import DENSE_ROW_FROM, WEIGHT_MIN, SparseWeights


def fitted_like(rng: np.random.Generator) -> np.ndarray:
    """Common features move every intent; rare ones a few; most weights are tiny."""
    coef = rng.normal(0, 0.005, size=(300, 40)).astype(np.float32)
    coef[:30] += rng.normal(0, 1.0, size=(30, 40))
    for row in range(30, 300):
        coef[row, rng.choice(40, size=3, replace=False)] += rng.normal(0, 1.0, size=3)
    return coef


def test_stored_weights_give_the_fitted_logits():
    rng = np.random.default_rng(7)
    coef = fitted_like(rng)
    weights = SparseWeights.from_arrays(SparseWeights.from_dense(coef).arrays())  # as read from the cache
    kept = (np.abs(coef) >= WEIGHT_MIN).sum(axis=1)
    assert ((weights.dense_of >= 0) == (kept > DENSE_ROW_FROM)).all()
    assert (weights.dense_of[:30] >= 0).all() and (weights.dense_of[30:] < 0).all()
    rows = np.sort(rng.choice(300, size=60, replace=False)).astype(np.intp)
    x = rng.random(60)
    expected = x @ np.where(np.abs(coef) >= WEIGHT_MIN, coef, 0)[rows]
    got = weights.dot(rows, x)
    assert got.shape == (40,)
    np.testing.assert_allclose(got, expected, atol=0.05)
    # The small weights left out are what the difference with the fitted matrix is made of.
    dropped = np.abs(x @ coef[rows] - expected).max()
    assert dropped < 60 * WEIGHT_MIN


def test_a_message_of_only_rare_or_only_common_features_is_scored():
    coef = fitted_like(np.random.default_rng(3))
    weights = SparseWeights.from_dense(coef)
    for rows in (np.array([0, 5, 29]), np.array([40, 41, 299])):
        np.testing.assert_allclose(weights.dot(rows, np.ones(3)),
                                   np.where(np.abs(coef) >= WEIGHT_MIN, coef, 0)[rows].sum(axis=0), atol=0.01)
    assert not weights.dot(np.array([], dtype=np.intp), np.array([])).any()


def phrases_like(rng: np.random.Generator, n: int = 240, features: int = 400, classes: int = 6):
    """Phrases as the model sees them: a few common features, many seen in one phrase only (word
    pairs), some phrases with none of those, and sample weights other than one."""
    from scipy.sparse import csr_matrix

    labels = rng.integers(0, classes, size=n)
    dense = np.zeros((n, features))
    common = rng.normal(0, 1.0, size=(classes, 40))
    for i, label in enumerate(labels):
        dense[i, :40] = (rng.random(40) < 0.15) * (1 + common[label])
        if i % 5:  # four phrases in five have features of their own
            dense[i, rng.choice(range(40 + 3 * (i % 120), 43 + 3 * (i % 120)), size=2, replace=False)] = rng.random(2)
    dense[:, 399] = 0.0  # a feature no phrase has
    weights = rng.choice([1.0, 1.5, 0.5], size=n)
    return csr_matrix(dense), [f"intent_{k}" for k in labels], weights


def test_the_fit_reaches_scikit_learns_optimum():
    # The fit folds the features seen in a single phrase (bot.nlu.fit): the weights must be those
    # of the objective it claims, scikit-learn's multinomial logistic regression.
    from sklearn.linear_model import LogisticRegression

    from bot.nlu.fit import fit_logistic

    matrix, labels, weights = phrases_like(np.random.default_rng(11))
    assert (np.diff(matrix.tocsc().indptr) == 1).sum() > 100, "the phrases must have single-phrase features"
    classes, coef, intercept = fit_logistic(matrix, labels, weights, c=50.0)
    reference = LogisticRegression(C=50.0, max_iter=300).fit(matrix, labels, sample_weight=weights)
    assert classes == list(reference.classes_)
    np.testing.assert_allclose(coef, reference.coef_.T, atol=1e-3)
    np.testing.assert_allclose(intercept, reference.intercept_, atol=1e-3)
    assert np.abs(coef).max() > 1.0  # a real fit, not zeros on both sides


def test_a_message_finds_the_columns_of_its_known_features_and_no_other():
    from bot.nlu.linear import FeatureIndex, feature_hashes, feature_list

    message = "garantie de pret pour une scic"
    known = [f for f in dict.fromkeys(feature_list(message)) if not f.startswith("c:")]  # words, stems, pairs
    index = FeatureIndex.of(known[::-1])  # columns in another order than the message's
    found = index.find(feature_hashes(message))
    assert sorted(found.tolist()) == sorted(len(known) - 1 - known.index(f)
                                            for f in feature_list(message) if f in known)
    assert not len(index.find(feature_hashes("cooperative ecole")))
    assert not len(FeatureIndex.of([]).find(feature_hashes(message)))
