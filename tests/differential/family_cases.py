"""Hand-minimised programs of the soundness families (docs/soundness_sweep.md).

Each case is the minimal form of a pattern the family sweep flagged (or a close
neighbour the issue names); run them all against the current ast_ad::

    python -m tests.differential.family_cases
    AST_AD_PATH=/work/main python -m tests.differential.family_cases --markdown cases.md

prints the transformer's and the tape's outcome for each (the classification of
tests/differential/family_harness.py: ok, refused, crash, silent, input_modified, ...).
A case that prints ``ok`` or ``refused`` for the transformer is fixed (a refusal is
allowed). Not collected by pytest. Parameters: ``x`` of shape (3,), a float ``s`` and,
where ``f`` takes it, ``A`` of shape (2, 3).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

if os.environ.get("AST_AD_PATH"):  # as in family_sweep
    sys.path.insert(0, os.path.abspath(os.environ["AST_AD_PATH"]))

from . import family_harness as fh  # noqa: E402
from .families import Program  # noqa: E402


@dataclass(frozen=True)
class Case:
    name: str
    family: str
    mode: str
    expect: str
    source: str

    def program(self):
        params = [("x", (3,)), ("s", ())]
        if "def f(x, s, A)" in self.source:
            params.append(("A", (2, 3)))
        src = "import math\n\nimport numpy as np\n\n\n" + self.source.strip() + "\n"
        return Program(self.family, src, tuple(params), (self.name,), self.mode, "f",
                       self.expect)


CASES = [
    Case('O1_method_calls_method', 'objects', 'grad', 'any', '''
class Net:
    def __init__(self, w):
        self.w = w

    def forward(self, x):
        return np.tanh(self.w * x)

    def loss(self, x, y):
        h = self.forward(x)
        return np.sum((h - y) ** 2)


NET = Net(np.array([0.5, -0.7, 1.1]))


def f(x, s):
    return NET.loss(x, s)
'''),
    Case('O2_dunder_call', 'objects', 'grad', 'any', '''
class Net:
    def __init__(self, w):
        self.w = w

    def __call__(self, x):
        return np.tanh(self.w * x)


NET = Net(np.array([0.5, -0.7, 1.1]))


def f(x, s):
    return np.sum(NET(x) * s)
'''),
    Case('O3_nested_attribute', 'objects', 'grad', 'any', '''
class Act:
    def __init__(self, k):
        self.k = k

    def fn(self, z):
        return np.tanh(z) * self.k


class Net:
    def __init__(self, w):
        self.w = w
        self.act = Act(0.5)

    def forward(self, x):
        return self.act.fn(self.w * x)


NET = Net(np.array([0.5, -0.7, 1.1]))


def f(x, s):
    return np.sum(NET.forward(x)) * s
'''),
    Case('O4_plain_forward', 'objects', 'grad', 'any', '''
class Net:
    def __init__(self, w):
        self.w = w

    def forward(self, x):
        return np.tanh(self.w * x)


NET = Net(np.array([0.5, -0.7, 1.1]))


def f(x, s):
    return np.sum(NET.forward(x)) * s
'''),
    Case('O5_bound_method_local', 'objects', 'grad', 'any', '''
class Net:
    def __init__(self, w):
        self.w = w

    def forward(self, x):
        return np.tanh(self.w * x)


NET = Net(np.array([0.5, -0.7, 1.1]))


def f(x, s):
    m = NET.forward
    return np.sum(m(x)) * s
'''),
    Case('O6_module_function_method', 'objects', 'grad', 'any', '''
def _forward(self, x):
    return np.tanh(self.w * x)


class Net:
    def __init__(self, w):
        self.w = w

    forward = _forward


NET = Net(np.array([0.5, -0.7, 1.1]))


def f(x, s):
    return np.sum(NET.forward(x)) * s
'''),
    Case('O7_default_arg_object', 'objects', 'grad', 'any', '''
class Net:
    def __init__(self, w):
        self.w = w

    def forward(self, x):
        return np.tanh(self.w * x)


NET = Net(np.array([0.5, -0.7, 1.1]))


def f(x, s, net=NET):
    return np.sum(net.forward(x)) * s
'''),
    Case('M1_alias_write', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = x * 1.0
    b = y
    b[0] = x[1] ** 2
    return np.sum(y * x)
'''),
    Case('M2_view_aug', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = x + 0.0
    v = y[::2]
    v *= s
    return np.sum(y * y)
'''),
    Case('M3_param_view_aug', 'mutation', 'grad', 'any', '''
def f(x, s):
    b = x[:]
    b *= s
    return np.sum(x * x)
'''),
    Case('M3b_param_alias_aug', 'mutation', 'grad', 'any', '''
def f(x, s):
    b = x
    b -= s
    return np.sum(x * x)
'''),
    Case('M4_reshape_view', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = x.copy()
    b = y.reshape(3)
    b += s
    return np.sum(y * x)
'''),
    Case('M5_helper_add_into', 'mutation', 'grad', 'any', '''
def add_into(h, v):
    h += v


def f(x, s):
    y = x * 0.3
    add_into(y, x * s)
    return np.sum(y * x)
'''),
    Case('M6_helper_copy_into', 'mutation', 'grad', 'any', '''
def copy_into(h, v):
    np.copyto(h, v)


def f(x, s):
    y = x.copy()
    copy_into(y, x * s)
    return np.sum(y * y)
'''),
    Case('M7_helper_write_ret', 'mutation', 'grad', 'any', '''
def write_ret(h, v):
    h[-1] = v * h[0]
    return np.sum(h)


def f(x, s):
    y = x * 0.5
    r = write_ret(y, s)
    return r + np.sum(y * y)
'''),
    Case('M8_rows_after_iadd', 'mutation', 'grad', 'any', '''
def f(x, s):
    M = np.stack([x, x * s])
    acc = 0.0
    for row in M:
        M += 1.0
        acc = acc + np.sum(row * row)
    return acc
'''),
    Case('M9_rows_enumerate_write', 'mutation', 'grad', 'any', '''
def f(x, s):
    M = np.stack([x, x * s])
    acc = 0.0
    for k, row in enumerate(M):
        M[k] = row * 2.0
        acc = acc + np.sum(row * x)
    return acc
'''),
    Case('M10_list_alias_insert', 'mutation', 'grad', 'any', '''
def f(x, s):
    a = [x[0], s]
    b = a
    b.insert(0, s * s)
    return a[0] * x[1]
'''),
    Case('M10b_list_alias_append', 'mutation', 'grad', 'any', '''
def f(x, s):
    a = [x[0], s]
    b = a
    b.append(x[1] * s)
    return sum(a)
'''),
    Case('M11_asarray_dtype_alias', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = x * 2.0
    b = np.asarray(y, dtype=float)
    b[0] = x[1] ** 2
    return np.sum(y * x)
'''),
    Case('M12_swap_fancy', 'mutation', 'grad', 'any', '''
def f(x, s):
    x[[0, 1]] = x[[1, 0]]
    return np.sum(x * np.array([1.0, 2.0, 3.0]))
'''),
    Case('M12b_swap_tuple', 'mutation', 'grad', 'any', '''
def f(x, s):
    x[0], x[1] = x[1], x[0]
    return np.sum(x * np.array([1.0, 2.0, 3.0]))
'''),
    Case('M12c_shift', 'mutation', 'grad', 'any', '''
def f(x, s):
    x[1:] = x[:-1]
    return np.sum(x * np.array([1.0, 2.0, 3.0]))
'''),
    Case('M13_newaxis_view', 'mutation', 'grad', 'any', '''
def f(x, s):
    v = x[np.newaxis]
    v /= 2.0
    return np.sum(x * x)
'''),
    Case('M14_ellipsis_view', 'mutation', 'grad', 'any', '''
def f(x, s):
    v = x[...]
    v += s
    return np.sum(x * x)
'''),
    Case('M15_read_before_write', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = 2.0 * x
    x[0] = 0.0
    return np.sum(x * y)
'''),
    Case('M16_copy_then_write', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = x * 1.0
    y[0] = x[1] ** 2
    return np.sum(y * x)
'''),
    Case('M17_add_at', 'mutation', 'grad', 'any', '''
def f(x, s):
    o = np.zeros(3)
    np.add.at(o, [0, 0, 2], x)
    return np.sum(o * o)
'''),
    Case('M17b_add_at_scalar', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = x * 1.0
    np.add.at(y, 1, s)
    return np.sum(y * y)
'''),
    Case('M18_ufunc_out', 'mutation', 'grad', 'any', '''
def f(x, s):
    o = np.empty(3)
    np.multiply(x, s, out=o)
    return np.sum(o * x)
'''),
    Case('M18b_ufunc_out_view', 'mutation', 'grad', 'any', '''
def f(x, s):
    o = np.zeros(5)
    np.sin(x, out=o[1:4])
    return np.sum(o * np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
'''),
    Case('M19_sort', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = x * 1.0
    y.sort()
    return np.sum(y * np.array([1.0, 2.0, 3.0]))
'''),
    Case('M20_fill', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = x + 0.5
    y.fill(s * 2.0)
    return np.sum(y * x)
'''),
    Case('M21_copyto_scalar', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = x.copy()
    np.copyto(y, s)
    return np.sum(y * x)
'''),
    Case('M22_array_copy_kw', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = np.array(x, copy=True)
    y[0] = x[1] ** 2
    return np.sum(y * x)
'''),
    Case('M23_fancy_set_scalar', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = x * 0.5
    y[[0, 2]] = np.sin(s)
    return np.sum(y * y)
'''),
    Case('M24_put', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = x * 1.0
    np.put(y, [0, 2], [s, s * 2.0])
    return np.sum(y * y)
'''),
    Case('M25_place', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = x * 1.0
    np.place(y, np.array([True, False, True]), [s, 2.0 * s])
    return np.sum(y * y)
'''),
    Case('M26_list_alias_pop', 'mutation', 'grad', 'any', '''
def f(x, s):
    a = [x[0], s, x[1]]
    b = a
    b.pop()
    return sum(a)
'''),
    Case('C1_append_npsum', 'containers', 'grad', 'any', '''
def f(x, s):
    lst = []
    for t in x:
        lst.append(t * s + 0.5)
    return np.sum(lst)
'''),
    Case('C2_comprehension_npsum', 'containers', 'grad', 'any', '''
def f(x, s):
    return np.sum([t ** 2 for t in x])
'''),
    Case('C3_r_', 'containers', 'grad', 'any', '''
def f(x, s):
    return np.sum(np.r_[x, x] * np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
'''),
    Case('C3b_r_scalar', 'containers', 'grad', 'any', '''
def f(x, s):
    return np.sum(np.r_[x[:2], s, 1.0] * np.array([1.0, 2.0, 3.0, 4.0]))
'''),
    Case('C4_c_', 'containers', 'grad', 'any', '''
def f(x, s):
    return np.sum(np.c_[x, x ** 2] @ np.array([0.5, -0.7]))
'''),
    Case('C5_linspace', 'containers', 'grad', 'any', '''
def f(x, s):
    t = np.linspace(s, x[0], 3)
    return np.sum(t * x)
'''),
    Case('C5b_linspace_endpoint', 'containers', 'grad', 'any', '''
def f(x, s):
    t = np.linspace(s, 2.0, 3, endpoint=False)
    return np.sum(t * x)
'''),
    Case('C6_fstring', 'containers', 'grad', 'must_refuse', '''
def f(x, s):
    return float(f"{s}") * x[0]
'''),
    Case('C6b_str', 'containers', 'grad', 'must_refuse', '''
def f(x, s):
    return float(str(s)) * x[0]
'''),
    Case('C6c_percent', 'containers', 'grad', 'must_refuse', '''
def f(x, s):
    return float("%r" % s)
'''),
    Case('C7_list_tuple_concat', 'containers', 'grad', 'any', '''
def f(x, s):
    t = list((s, x[0])) + [s]
    return t[0] * t[-1]
'''),
    Case('C8_list_of_array', 'containers', 'grad', 'any', '''
def f(x, s):
    t = list(x)
    return t[0] * t[1] + sum(t)
'''),
    Case('C9_tuple_concat', 'containers', 'grad', 'any', '''
def f(x, s):
    t = (s, x[0]) + (x[1],)
    return sum(e * e for e in t)
'''),
    Case('C10_list_plus_list', 'containers', 'grad', 'any', '''
def f(x, s):
    t = [x[0]] + list(x[1:])
    return t[0] * t[-1]
'''),
    Case('C11_dict_pop', 'containers', 'grad', 'any', '''
def f(x, s):
    d = {"a": s, "b": x[0] ** 2}
    d["e"] = d.pop("b")
    return sum(d.values())
'''),
    Case('C12_dict_get', 'containers', 'grad', 'any', '''
def f(x, s):
    d = {"a": s, "b": x[0] ** 2}
    return d.get("a", s) + d.get("z", x[1])
'''),
    Case('C13_sum_values', 'containers', 'grad', 'any', '''
def f(x, s):
    d = {"a": s, "b": x[0] ** 2}
    return sum(d.values())
'''),
    Case('C14_tolist', 'containers', 'grad', 'any', '''
def f(x, s):
    t = x.tolist()
    return t[0] * t[1] + sum(t)
'''),
    Case('C15_list_repeat', 'containers', 'grad', 'any', '''
def f(x, s):
    t = [x[0]] + [s] * 2
    return np.prod(t)
'''),
    Case('C16_list_reverse', 'containers', 'grad', 'any', '''
def f(x, s):
    lst = [x[0] * s, x[1] ** 2, np.sin(x[2])]
    lst.reverse()
    return lst[0] * 2.0 + lst[1]
'''),
    Case('C17_iadd_list', 'containers', 'grad', 'any', '''
def f(x, s):
    t = [x[0], s]
    t += [s * x[1]]
    return sum(t)
'''),
    Case('C18_list_to_dot', 'containers', 'grad', 'any', '''
def f(x, s):
    return np.dot([s, x[0], x[1]], x)
'''),
    Case('C19_np_tile', 'containers', 'grad', 'any', '''
def f(x, s):
    return np.sum(np.tile([s, x[0]], 2) * np.array([1.0, 2.0, 3.0, 4.0]))
'''),
    Case('V1_args_jvp', 'vanish', 'jvp', 'any', '''
def f(*args):
    x, s = args
    return np.sum(np.sin(x)) * s
'''),
    Case('V2_hessian_tuple', 'vanish', 'hessian2', 'any', '''
def f(x, s):
    return np.sum(x ** 2) * s ** 3
'''),
    Case('V3_jacobian_tuple', 'vanish', 'jacobian2', 'any', '''
def f(x, s):
    return np.sin(x) * s
'''),
    Case('V4_complex_out', 'vanish', 'grad', 'must_refuse', '''
def f(x, s):
    return np.sum(x) * 1j + s
'''),
    Case('V5_complex_abs', 'vanish', 'grad', 'any', '''
def f(x, s):
    z = x[0] + 1j * x[1]
    return np.abs(z) ** 2
'''),
    Case('V5b_complex_exp', 'vanish', 'grad', 'any', '''
def f(x, s):
    z = np.exp(1j * s)
    return np.abs(z * x[0]) ** 2
'''),
    Case('V6_complex_real', 'vanish', 'grad', 'any', '''
def f(x, s):
    z = x * (1.0 + 1j * s)
    return np.sum(np.real(z * z))
'''),
    Case('V7_fft', 'vanish', 'grad', 'any', '''
def f(x, s):
    F = np.fft.fft(x)
    return np.sum(np.abs(F) ** 2)
'''),
    Case('V8_vjp', 'vanish', 'vjp', 'any', '''
def f(x, s):
    return np.sum(np.sin(x)) * s
'''),
    Case('V9_args_grad', 'vanish', 'grad', 'any', '''
def f(*args):
    x, s = args
    return np.sum(np.sin(x)) * s
'''),
    Case('K1_sum_builtin', 'crashes', 'grad', 'any', '''
def f(x, s):
    return sum(x * 2.0)
'''),
    Case('K2_max_builtin', 'crashes', 'grad', 'any', '''
def f(x, s):
    return max(x)
'''),
    Case('K2b_max3', 'crashes', 'grad', 'any', '''
def f(x, s):
    return max(x[0], x[1], s)
'''),
    Case('K2c_min4', 'crashes', 'grad', 'any', '''
def f(x, s):
    return min(s, x[0], x[1], x[2])
'''),
    Case('K3_max_initial', 'crashes', 'grad', 'any', '''
def f(x, s):
    return np.max(x, initial=-5.0)
'''),
    Case('K3b_sum_where', 'crashes', 'grad', 'any', '''
def f(x, s):
    return np.sum(x * s, where=np.array([True, False, True]))
'''),
    Case('K4_flat_read', 'crashes', 'grad', 'any', '''
def f(x, s):
    return x.flat[0] * s
'''),
    Case('K4b_flat_write', 'crashes', 'grad', 'any', '''
def f(x, s):
    y = x.copy()
    y.flat[2] = s
    return np.sum(y * y)
'''),
    Case('K4c_flat_write_param', 'crashes', 'grad', 'any', '''
def f(x, s):
    x.flat[0] = s
    return np.sum(x * x)
'''),
    Case('K5_row_broadcast', 'crashes', 'grad', 'any', '''
def f(x, s):
    h = np.zeros((3, 3))
    for t in range(3):
        h[t] = x[t]
    return np.sum(h * np.arange(1.0, 10.0).reshape(3, 3))
'''),
    Case('K6_pow_zero', 'crashes', 'grad', 'any', '''
def f(x, s):
    z = x * 0.0
    return np.sum(z ** 0.0) + s
'''),
    Case('K6b_pow_zero_scalar', 'crashes', 'grad', 'any', '''
def f(x, s):
    z = s - s
    return z ** 0.0 * x[0]
'''),
    Case('K7_sqrt_zero', 'crashes', 'grad', 'any', '''
def f(x, s):
    return math.sqrt(0.0) * s + x[0]
'''),
    Case('K7b_sqrt_zero_dep', 'crashes', 'grad', 'any', '''
def f(x, s):
    return np.sum(np.sqrt(x * 0.0) + x)
'''),
    Case('K8_max_list', 'crashes', 'grad', 'any', '''
def f(x, s):
    return max([s, x[0] * 2.0])
'''),
    Case('D1_helper_param', 'caller_data', 'grad', 'any', '''
def add_into(h, v):
    h += v


def f(x, s):
    add_into(x, np.sin(s))
    return np.sum(x * x)
'''),
    Case('D2_fill_first_param', 'caller_data', 'grad', 'any', '''
def fill_first(h, v):
    h[0] = v


def f(x, s):
    fill_first(x, s)
    return np.sum(x * x)
'''),
    Case('D3_asarray_param', 'caller_data', 'grad', 'any', '''
def f(x, s):
    b = np.asarray(x)
    b[0] = x[1] ** 2
    return np.sum(x * b)
'''),
    Case('D4_atleast_param', 'caller_data', 'grad', 'any', '''
def f(x, s):
    b = np.atleast_1d(x)
    b[0] = x[1] ** 2
    return np.sum(x * b)
'''),
    Case('D5_fill_param', 'caller_data', 'grad', 'any', '''
def f(x, s):
    x.fill(s * 2.0)
    return np.sum(x * x)
'''),
    Case('D6_rows_param', 'caller_data', 'grad', 'any', '''
def f(x, s, A):
    acc = 0.0
    for row in A:
        A += 1.0
        acc = acc + np.sum(row * row)
    return acc
'''),
    Case('D7_iadd_param', 'caller_data', 'grad', 'any', '''
def f(x, s):
    y = x
    y += 1.0
    return np.sum(y * y)
'''),
    Case('D8_setitem_param', 'caller_data', 'grad', 'any', '''
def f(x, s):
    y = np.asarray(x)
    y[0] = 3.0
    return np.sum(y * x)
'''),
    Case('D9_scale_into', 'caller_data', 'grad', 'any', '''
def scale_into(h, v):
    h *= v
    return h


def f(x, s):
    scale_into(x, 2.0 * s)
    return np.sum(x * x)
'''),
    Case('M27_setitem_duplicate_fancy', 'mutation', 'grad', 'any', '''
def f(x, s):
    u = np.tanh(x * s)
    u[[0, 0]] = u[[0, 0]]
    return np.sum(u * np.array([1.5, 1.5, 1.5]))
'''),
    Case('M28_asarray_iadd', 'mutation', 'grad', 'any', '''
def f(x, s):
    u = x * 1.0
    b = np.asarray(u)
    b *= s
    return np.sum(u * u)
'''),
    Case('M29_helper_fill_all_local', 'mutation', 'grad', 'any', '''
def fill_all(h, v):
    h[:] = v


def f(x, s):
    y = np.array(x)
    fill_all(y, np.sin(s))
    return np.sum(y * x)
'''),
    Case('M30_helper_scale_into_local', 'mutation', 'grad', 'any', '''
def scale_into(h, v):
    h *= v
    return h


def f(x, s):
    y = x * 0.5
    scale_into(y, 2.0 * s)
    return np.sum(y * y)
'''),
    Case('C20_tolist_npsum', 'containers', 'grad', 'any', '''
def f(x, s):
    u = np.sin(x) + 0.5 * s
    t = u.tolist()
    return float(np.sum(t)) * s
'''),
    Case('D10_atleast_iadd_param', 'caller_data', 'grad', 'any', '''
def f(x, s):
    b = np.atleast_1d(x)
    b *= s
    return np.sum(x * x)
'''),
    Case('K9_prod_initial', 'crashes', 'grad', 'any', '''
def f(x, s):
    return np.prod(x, initial=2.0)
'''),
    Case('K10_sum_initial', 'crashes', 'grad', 'any', '''
def f(x, s):
    return np.sum(x, initial=1.0) * s
'''),
    Case('K11_flat_slice', 'crashes', 'grad', 'any', '''
def f(x, s):
    return np.sum(x.flat[1:3])
'''),
    Case('K12_flat_iter', 'crashes', 'grad', 'any', '''
def f(x, s):
    return sum(e for e in x.flat)
'''),
    Case('K13_max_generator', 'crashes', 'grad', 'any', '''
def f(x, s):
    return max(e * s for e in x)
'''),
    Case('K14_min_array', 'crashes', 'grad', 'any', '''
def f(x, s):
    return min(x) * s
'''),
    Case('M31_slice_set_scalar', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = x + 0.5
    y[:2] = s
    return np.sum(y * y)
'''),
    Case('M32_mask_set_scalar', 'mutation', 'grad', 'any', '''
def f(x, s):
    y = x + 0.5
    y[y > 0.0] = s
    return np.sum(y * x)
'''),
    Case('C21_tuple_repeat', 'containers', 'grad', 'any', '''
def f(x, s):
    t = (s,) * 3
    return sum(e * e for e in t) * x[0]
'''),
    Case('C22_tuple_repeat_iadd', 'containers', 'grad', 'any', '''
def f(x, s):
    t = (s,) * 3
    t += (s * x[0],)
    return sum(t)
'''),
    Case('C23_list_repeat', 'containers', 'grad', 'any', '''
def f(x, s):
    t = [s, x[1]] * 2
    return t[0] * t[-1]
'''),
    Case('D11_copyto_param_scalar', 'caller_data', 'grad', 'any', '''
def f(x, s):
    np.copyto(x, s)
    return np.sum(x * x)
'''),
    Case('M33_read_then_slice_set_scalar', 'mutation', 'grad', 'any', '''
def f(x, s):
    u = x * s
    z = 1.5 * u
    u[:2] = s
    return np.sum(u * z)
'''),
    Case('C24_list_in_loop', 'containers', 'grad', 'any', '''
def f(x, s):
    r = 0.0
    for it in range(1):
        t = list(x)
        r = r + t[-1] ** 2 * s
    return r
'''),
    Case('K15_math_sqrt_zero_dep', 'crashes', 'grad', 'any', '''
def f(x, s):
    return math.sqrt(s * 0.0) + s * x[0]
'''),
]


def run(seed=3):
    """[(case, outcome)] for every case."""
    return [(c, fh.run_program(c.program(), seed)) for c in CASES]  # x, s from seed 3


def markdown(results):
    """Every case: its outcome, and for a failing one its program and what came back."""
    out = ["| case | family | mode | transformer | tape |", "|---|---|---|---|---|"]
    for c, o in results:
        out.append(f"| {c.name} | {c.family} | {c.mode} | {o.kind} | {o.tape} |")
    out.append("")
    for c, o in results:
        bad_t = o.kind not in ("ok", "refused", "refused_required")
        bad_tape = o.tape in ("tape_silent", "tape_input_modified")
        if not (bad_t or bad_tape):
            continue
        out.append(f"#### {c.name} ({c.family}, {c.mode}): transformer {o.kind}, {o.tape}")
        out.append("")
        out.append("```python")
        out.append(c.source.strip())
        out.append("```")
        if bad_t:
            out.append(f"- transformer: {o.detail[:500]}".replace("\n", " "))
        if bad_tape or o.tape == "tape_refused":
            out.append(f"- tape: {o.tape_detail[:300]}".replace("\n", " "))
        out.append("")
    return "\n".join(out)


def main(argv=None):
    import argparse
    import warnings

    import ast_ad

    ap = argparse.ArgumentParser(description="run the hand-minimised family cases")
    ap.add_argument("--markdown", help="write a markdown catalogue to this file")
    a = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"ast_ad from {ast_ad.__file__}")
    results = run()
    for c, out in results:
        print(f"{c.name:28s} {c.family:12s} {c.mode:10s} {out.kind:15s} {out.tape}")
        if out.kind not in ("ok", "refused", "refused_required"):
            print("    " + out.detail[:300].replace("\n", " "))
    if a.markdown:
        with open(a.markdown, "w") as fh_:
            fh_.write(markdown(results) + "\n")


if __name__ == "__main__":
    main()
