"""Multinomial logistic regression (L2), fitted with L-BFGS: the objective, start and stopping
rule of scikit-learn's `LogisticRegression(solver="lbfgs")`, with its features folded first.

Why not scikit-learn's fit as it is: the model has some 100,000 features for 280 intents, and
L-BFGS's own bookkeeping over the 28 million weights took two thirds of the time, the sparse
products that do the work one third. Most features, though, are seen in a single phrase (word
pairs above all). Such a feature's gradient is its value times that phrase's gradient plus the
penalty, so at the optimum its weights are its value times one vector per phrase. The single-
phrase features of a phrase are therefore fitted as one feature (their values' norm), and their
weights are read back from its weights afterwards: the same optimum, with half the weights.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize
from scipy.sparse import csr_matrix, hstack

# Stop when no weight's gradient exceeds this (scikit-learn's `tol`), or after MAX_ITER steps.
TOLERANCE = 1e-4
MAX_ITER = 300


def fit_logistic(matrix: csr_matrix, labels: list[str], sample_weight: np.ndarray, c: float,
                 max_iter: int = MAX_ITER) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The classes (sorted), the weights (features x classes, single precision) and the
    intercepts minimising mean(weighted log loss) + ||weights||² / (2 c sum(sample_weight))."""
    classes = sorted(set(labels))
    index = {label: k for k, label in enumerate(classes)}
    target = np.array([index[label] for label in labels], dtype=np.intp)
    matrix = csr_matrix(matrix, copy=True)  # its entries are tidied below, not the caller's
    matrix.sum_duplicates()
    matrix.eliminate_zeros()  # a phrase's folded value is the norm of what it has
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    single = np.bincount(matrix.indices, minlength=matrix.shape[1]) == 1
    entry_single = single[matrix.indices]
    # Each phrase's single-phrase features, folded into one of value their norm.
    squares = np.bincount(rows[entry_single], weights=matrix.data[entry_single] ** 2, minlength=matrix.shape[0])
    phrases = np.flatnonzero(squares)
    norms = np.sqrt(squares[phrases])
    folded = hstack([matrix[:, ~single],
                     csr_matrix((norms, (phrases, np.arange(len(phrases)))), shape=(matrix.shape[0], len(phrases)))],
                    format="csr")
    params = _minimise(folded, target, len(classes), np.asarray(sample_weight, dtype=np.float64), c, max_iter)
    shared = folded.shape[1] - len(phrases)
    coef = np.empty((matrix.shape[1], len(classes)), dtype=np.float32)
    coef[~single] = params[:shared]
    # A single-phrase feature's weights: its value over its phrase's norm, times the phrase's.
    position = np.zeros(matrix.shape[0], dtype=np.intp)
    position[phrases] = np.arange(len(phrases))
    at = position[rows[entry_single]]
    coef[matrix.indices[entry_single]] = (matrix.data[entry_single] / norms[at])[:, None] * params[shared + at]
    return classes, coef, params[-1].astype(np.float32)


def _minimise(matrix: csr_matrix, target: np.ndarray, width: int, sample_weight: np.ndarray, c: float,
              max_iter: int) -> np.ndarray:
    """The weights (features x classes) with the intercepts as a last row, minimising the objective."""
    n, features = matrix.shape
    share = sample_weight / sample_weight.sum()
    l2 = 1.0 / (c * sample_weight.sum())
    picked = (np.arange(n), target)

    def loss_gradient(flat: np.ndarray) -> tuple[float, np.ndarray]:
        params = flat.reshape(features + 1, width)
        weights, intercept = params[:features], params[features]
        raw = matrix @ weights
        raw += intercept
        raw -= raw.max(axis=1, keepdims=True)
        np.exp(raw, out=raw)
        raw /= raw.sum(axis=1, keepdims=True)  # the probabilities
        loss = -float(share @ np.log(np.maximum(raw[picked], 1e-300)))
        raw[picked] -= 1.0
        raw *= share[:, None]  # the gradient on each phrase's raw scores
        grad = np.empty_like(params)
        grad[:features] = matrix.T @ raw
        grad[:features] += l2 * weights
        grad[features] = raw.sum(axis=0)
        loss += 0.5 * l2 * float(np.vdot(weights, weights))
        return loss, grad.ravel()

    result = optimize.minimize(
        loss_gradient, np.zeros((features + 1) * width), method="L-BFGS-B", jac=True,
        options={"maxiter": max_iter, "maxls": 50, "gtol": TOLERANCE, "ftol": 64 * np.finfo(float).eps},
    )
    return result.x.reshape(features + 1, width)
