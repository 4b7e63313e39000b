"""Minimal programs from the differential sweeps that ast_ad differentiated wrongly.

Each is the hand-checked minimum of a failing generated program (docs/differential.md).
A case with ``xfail`` set is still broken and marked ``xfail(strict=True)``: a fix makes
it XPASS and fail, which is the signal to clear the field. Fixed cases stay as
regression tests. Every case is also checked against finite differences and the tape,
so the expectation itself is not in doubt.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import ast_ad

from ..fd import fd_grad
from .harness import TAPE_GRAD


# 1. `while a and b:` left by `break` or `return`: the reverse sweep pops one recorded
#    condition per iteration, the forward sweep skipped the push on the last one.
def while_and_break(x):
    k = 0
    while k < 1 and x > 0.0:
        k += 1
        break
    return x * x


def while_and_return(x):
    k = 0
    while k < 2 and x > -1.0:
        k += 1
        return x * x
    return x


def while_and_break_nested(x, y):
    for i in range(2):
        k = 0
        while k < 2 and x > 0.0:
            k += 1
            x = x * y
            if k > 0:
                break
    return x


# 2. The same with `or`: no crash, a wrong gradient (0.738 instead of 0.6642 at 0.41).
def while_or_break(x):
    k = 0
    while k < 3 or x > 5.0:
        k += 1
        if k == 2:
            break
        x = x * 0.9
    return x * x


# 3. An array re-assigned inside a loop gets the scalar adjoint 0.0 before the loop;
#    the rule of the statement that made its earlier value needs the shape.
def loop_reassign_after_broadcast(x, y):
    v = x[:, None] * y
    for i in range(1):
        v = y * 2.0
    return np.sum(v)


def loop_reassign_after_concatenate(x):
    v = np.concatenate((x[1:], x[:1]))
    for i in range(1):
        v = x * 2.0
    return np.sum(v)


def loop_reassign_after_dot(x, y):
    v = np.dot(y, x)
    for i in range(1):
        v = x * 2.0
    return np.sum(v)


# 4. A loop whose body is `pass`: the generated code has a `for` without a body.
def empty_for_body(x):
    for i in range(1):
        pass
    return x * x


# 5. A call of a user function whose result gets no gradient on the path taken (here:
#    an early return before it is used): the reverse sweep pops the call's record only
#    when the result's adjoint is non-zero, but it was pushed unconditionally, so the
#    next pop (restoring the overwritten `y`) reads the record instead.
def _h(a):
    return math.sin(a)


def call_result_unused_then_restore(x, y):
    v = x * y
    y = _h(v)
    if x < 1.0:
        return v
    return y


def call_result_unused_then_restore_max(x, y):
    v = max(x, y)
    y = _h(v)
    if x < 1.0:
        return v
    return y


def _double(a):
    return a * 2.0


# The same in a loop: the last call's result is dead, so its record is not popped and
# `x` is restored from the wrong slot; no error, a wrong gradient (0.825 for 0.765).
def call_in_loop_result_dead(x, y):
    x = math.sin(x)
    for i in range(1):
        y = y + x
        x = _double(x)
    return y


# 6. The 0.0 filler adjoint reaches a shape-sensitive rule through an early return in a
#    loop: `x` is overwritten after the (not taken) return, its adjoint stays 0.0, and
#    the matmul rule gets a float.
def loop_return_then_matmul(x, A):
    for i in range(1):
        if x[0] > 5.0:
            return np.sum(x)
        x = A[:, 0] @ A
    return 0.0


# 7. A differentiated parameter overwritten by a constant and then read twice in one
#    expression: the two contributions are combined into `bx += ...` with no first
#    `bx = ...` (the gradient is 0.0).
def overwritten_param_used_twice(x):
    x = 0.9
    return np.tanh(x) * np.tanh(x)


# 8. The 0.0 filler (the adjoint of a value that an early return made dead) passes
#    through another rule first (negation, np.stack/np.sum) and then reaches a
#    shape-sensitive one (matmul, dot, concatenate's split).
def return_then_neg_matmul(x, A):
    v = -(A @ x)
    if x[0] < 5.0:
        return np.sum(x)
    return np.sum(v)


def return_then_neg_dot(x, A):
    v = -np.dot(np.mean(A, axis=1), A)
    if x[0] < 5.0:
        return np.sum(x)
    return np.sum(v)


def return_then_stack_matmul(x, A):
    lst = []
    for i in range(3):
        lst.append(A[:, i] @ A)
    v = np.sum(np.stack(lst), axis=0)
    if x[0] < 5.0:
        return np.sum(x)
    return np.sum(v)


def loop_return_then_concatenate(x):
    lst = []
    for i in range(2):
        lst.append(np.concatenate((x[1:], x[:1])))
        return np.sum(x)
    return np.sum(np.stack(lst))


# 9. An in-place write into an array that is overwritten afterwards: the reverse of
#    `buf[1] += ...` writes into the adjoint of `buf`, which is a read-only array.
def inplace_then_overwrite(x):
    buf = np.zeros_like(x)
    buf[1] += x[0] * x[1]
    buf = np.sin(x)
    return np.sum(buf)


# 10. A helper call whose result overwrites a differentiated parameter, `x = h(x)`: the
#     reverse sweep hands the helper's backward function None for its record
#     (`TypeError: cannot unpack non-iterable NoneType object` in `h_bwd`);
#     `y = h(x)` and `return h(x)` work.
def _square(a):
    return a * a


def helper_result_overwrites_argument(x):
    x = _square(x)
    return x


def _x3():
    return np.array([0.3, 0.5, -0.2])


def _x2():
    return np.array([0.3, -0.5])


def _a32():
    return np.array([[0.4, -0.17], [1.4, 0.36], [1.16, 0.77]])


# 11. A write through an integer-array index with a repeat, `y[[1, 1]] = v`: NumPy keeps
#     the last value written, the adjoint gave the cotangent to every occurrence (both
#     engines: [3, 0, 0.9, 0.6] instead of [2, 0, 0.9, 0.6]).
_W = np.array([2.0, 0.5, 0.9, -0.4])


def repeated_index_write(x):
    y = x * 1.0
    y[[1, 1]] = x[[0, 3]] * 2.0
    return np.sum(y * _W)


def repeated_index_self_write(x):
    y = np.sin(x)
    y[[2, 2]] = y[[2, 2]]
    return np.sum(y * _W)


def repeated_index_scale(x, s):
    y = x * 2.0
    y[[1, 1]] *= x[0] ** 2
    return np.sum(y * _W) * s


# 12. A helper that fills its argument with `np.copyto`: the write was not seen (a silent
#     wrong gradient); now refused like `h[...] = v` (tests/unit/test_soundness.py).

# 13. `np.dot(v, [0.3, 0.9])` with a list operand: a TypeError inside the dot rule's
#     helper (`float * list`).
def dot_with_a_list(x):
    return np.dot([x[0], x[1]], [0.3, 0.9]) + np.matmul(x, [0.3, 0.9]) + np.vdot(x, [0.2, 1.0])


# 14. A float parameter whose gradient goes through complex intermediates: `float()` of
#     the complex cotangent raised TypeError (the real part is the gradient).
def complex_intermediate(x, s):
    z = s * 1j + x[1]
    return np.sum(np.real(z * z)) + np.imag(z * z)


# 15. `np.arange(s, s + 3.0)` with a differentiated start: declared non-differentiable,
#     so d/ds was a silent 0 (entries are start + k * step: now rules for start and step).
def arange_of_a_differentiated_start(x, s):
    return np.sum(np.arange(s, s + 3.0) * x) + np.sum(np.arange(0.0, 2.0, s) ** 2)


# 16. The first element read of an array (rebound, so no buffer before the sweep) whose
#     cotangent is a Python float that happens to be 0.0 (`A[0, 1] * z`, z = s - s):
#     `accum_index(0.0, ...)` handed back the 0.0, which the generated code took for a
#     buffer it owns, so a later read in a loop, `bA[i, 0] += g`, raised TypeError
#     (found by the vector sweep, 1 program in 3,000; 8 in 9,000 once `is_zero` also
#     counted np.float64(0.0), below: now an array's adjoint is always a buffer there).
def zero_cotangent_then_loop_reads(A, s):
    A = np.sin(A)
    z = s - s
    t = 0.0
    for i in range(2):
        t = t + A[i, 0] * s
    return t + A[0, 1] * z


def numpy_zero_cotangent_then_loop_reads(x, A, s):  # (a max() that picks the other)
    x = np.tanh((A * A)[1][::-1])
    acc = []
    for i in range(2):
        acc.append(math.sin(x[-1]) * (x[i] + x[-1]))
    v = sum(acc)
    return math.exp(-max(x[1], v) * max(x[1], v)) + v


def zero_cotangent_then_column_reads(A, s):
    A = A * 2.0
    z = s * 0.0
    t = 0.0
    for i in range(2):
        t = t + np.sum(A[:, i]) * s
    return t + A[0, 1] * z


# 17. A view of an array read by the adjoint of a statement before an in-place write of
#     that array, when the adjoint updates the array's buffer in place and so never reads
#     the array itself: the overwritten entries were not put back, and the view held the
#     new values (a silent wrong gradient: one-element writes since the element buffers,
#     slice writes since they joined them; the mutation family sweep found the second).
def view_read_before_element_write(x, s):
    u = np.sin(x)
    w = u[1:3]
    y = np.sum(w ** 3)
    u[1] = s
    return y + np.sum(u * 2.0)


def view_read_before_slice_write(x, s):
    u = np.sin(x)
    w = u[1:3]
    y = np.sum(w ** 3)
    u[1:3] = s
    return y + np.sum(u * 2.0)

# (and `v = u[:2]; v *= c`, which the tape refuses: tests/unit/test_slice_writes.py)


# 18. The 0.0 filler times a NumPy number is np.float64(0.0), which `is_zero` did not
#     count as the filler: the matmul adjoint behind the test got a 0-d cotangent
#     (`A @ b_t5`: ValueError; found by the vector sweep, 1 program in 4,000).
def filler_times_a_numpy_number(x, A, s):
    buf = np.zeros_like(A[1])
    buf[0] += np.dot(A[1, 2] * (A[:, 0] @ A), np.log(1.0 + A[1] * A[1]))
    for i in range(4):
        if i >= 1:
            return 2.0 * s
        if i < 0:
            return np.sum(buf) / (2.0 + math.sin(s))


# 19. A helper that returns its array parameter and reads its entries in a loop: the
#     parameter's element buffer (`bv = np.zeros(v.shape)`) replaced the seed `bv = g_out`,
#     so the caller lost the cotangent flowing through the return (a silent wrong
#     gradient; found by the vector sweep, 2 programs in 15,000).
def _returns_its_argument(v):
    acc = []
    for i in range(2):
        acc.append(v[2] + 1.0)
    return v


def helper_returns_a_parameter_it_reads_in_a_loop(A):
    return np.sum(np.tanh(_returns_its_argument(A[2]))) + np.sum(np.tanh(A))


FIXED = None  # xfail: None once ast_ad gets the case right

CASES = [
    # (id, function, args, xfail reason or None)
    ("while_and_break", while_and_break, (0.41,), FIXED),
    ("while_and_return", while_and_return, (0.3,), FIXED),
    ("while_and_break_nested", while_and_break_nested, (0.41, 0.7), FIXED),
    ("while_or_break", while_or_break, (0.41,), FIXED),
    ("loop_reassign_after_broadcast", loop_reassign_after_broadcast,
     (np.array([0.3, -0.5]), np.array([[0.2, 0.4], [-0.1, 0.6]])), FIXED),
    ("loop_reassign_after_concatenate", loop_reassign_after_concatenate, (_x3(),), FIXED),
    ("loop_reassign_after_dot", loop_reassign_after_dot,
     (_x3(), np.array([[0.3, 0.6, 1.4], [-0.3, -0.6, -0.03]])), FIXED),
    ("empty_for_body", empty_for_body, (0.3,), FIXED),
    ("call_result_unused_then_restore", call_result_unused_then_restore, (-0.22, 0.97),
     FIXED),
    ("call_result_unused_then_restore_max", call_result_unused_then_restore_max,
     (-0.22, 0.97), FIXED),
    ("call_in_loop_result_dead", call_in_loop_result_dead, (-0.7, -0.6), FIXED),
    ("loop_return_then_matmul", loop_return_then_matmul,
     (np.array([0.915, 0.92]), np.array([[0.046, -0.64], [-1.34, -0.35]])), FIXED),
    ("overwritten_param_used_twice", overwritten_param_used_twice, (0.3,), FIXED),
    ("return_then_neg_matmul", return_then_neg_matmul, (_x2(), _a32()), FIXED),
    ("return_then_neg_dot", return_then_neg_dot, (_x2(), _a32()), FIXED),
    ("return_then_stack_matmul", return_then_stack_matmul,
     (_x2(), np.array([[0.4, -0.17, 0.3], [1.4, 0.36, -0.5]])), FIXED),
    ("loop_return_then_concatenate", loop_return_then_concatenate, (_x2(),), FIXED),
    ("inplace_then_overwrite", inplace_then_overwrite, (_x2(),), FIXED),
    ("helper_result_overwrites_argument", helper_result_overwrites_argument, (0.41,),
     FIXED),
    ("repeated_index_write", repeated_index_write, (np.array([0.7, 0.8, -1.1, -0.8]),),
     FIXED),
    ("repeated_index_self_write", repeated_index_self_write,
     (np.array([0.7, 0.8, -1.1, -0.8]),), FIXED),
    ("repeated_index_scale", repeated_index_scale, (np.array([0.7, 0.8, -1.1, -0.8]), -0.6),
     FIXED),
    ("dot_with_a_list", dot_with_a_list, (np.array([-0.2, -0.55]),), FIXED),
    ("complex_intermediate", complex_intermediate, (np.array([-0.2, -0.55]), 0.17), FIXED),
    ("arange_of_a_differentiated_start", arange_of_a_differentiated_start,
     (np.array([0.3, -0.5, 0.8]), 0.7), FIXED),
    ("zero_cotangent_then_loop_reads", zero_cotangent_then_loop_reads,
     (np.array([[0.5, 1.5, -0.3], [0.2, -1.1, 0.8]]), 0.7), FIXED),
    ("numpy_zero_cotangent_then_loop_reads", numpy_zero_cotangent_then_loop_reads,
     (np.array([-0.66, 0.21]), np.array([[0.84, 0.47], [1.31, -0.37], [1.12, 0.45]]), -1.33),
     FIXED),
    ("zero_cotangent_then_column_reads", zero_cotangent_then_column_reads,
     (np.array([[0.5, 1.5, -0.3], [0.2, -1.1, 0.8]]), 0.7), FIXED),
    ("view_read_before_element_write", view_read_before_element_write,
     (np.array([-1.24, -0.79, 0.9, 0.4]), 0.25), FIXED),
    ("view_read_before_slice_write", view_read_before_slice_write,
     (np.array([-1.24, -0.79, 0.9, 0.4]), 0.25), FIXED),
    ("helper_returns_a_parameter_it_reads_in_a_loop",
     helper_returns_a_parameter_it_reads_in_a_loop,
     (np.array([[-1.22, 0.3, 0.69], [-0.94, -1.33, -0.68], [0.47, 0.19, -1.05]]),), FIXED),
    ("filler_times_a_numpy_number", filler_times_a_numpy_number,
     (np.array([-0.55, -0.41, -0.82]), np.array([[-0.87, -0.85, 0.21], [-0.68, -0.08, 1.42]]),
      0.64), FIXED),
]


def _close(a, b, rtol, atol):
    return all(np.allclose(np.asarray(p, float), np.asarray(q, float), rtol=rtol, atol=atol)
               for p, q in zip(a, b))


@pytest.mark.parametrize("name, fn, args, xfail", CASES, ids=[c[0] for c in CASES])
def test_reference_gradients_agree(name, fn, args, xfail):
    """Finite differences (and the tape, when there is one) agree on each case."""
    wrt = tuple(range(len(args)))
    fd = fd_grad(fn, args, wrt=None)
    if TAPE_GRAD is not None:
        assert _close(TAPE_GRAD(fn, wrt=wrt)(*args), fd, 1e-5, 1e-7)


@pytest.mark.parametrize(
    "name, fn, args, xfail",
    [pytest.param(*c, marks=[pytest.mark.xfail(strict=True, reason=c[3])] if c[3] else [])
     for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_finding(name, fn, args, xfail):
    wrt = tuple(range(len(args)))
    got = ast_ad.grad(fn, wrt=wrt)(*[a.copy() if hasattr(a, "copy") else a for a in args])
    assert _close(got, fd_grad(fn, args, wrt=None), 1e-5, 1e-7)

