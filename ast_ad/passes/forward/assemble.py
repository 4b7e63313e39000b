"""Forward mode, assembled: ``f_jvp(*params, *, d<param>...) -> (value, tangent)``, or
(``derivative`` mode) the derivative w.r.t. the one scalar ``wrt`` parameter as a plain
function of the parameters, ``f_deriv(*params)`` (its tangent starts at 1.0).

>>> import ast_ad
>>> def f(x):
...     return x * x
>>> ast_ad.jvp(f, (3.0,), (1.0,))
(9.0, 6.0)
"""

from __future__ import annotations

import gast

from ... import runtime as R
from ...ir import nodes as N
from .. import optimize
from ..reverse.assemble import Sweeps, _param_copies
from .tangent import ForwardMode


def forward(unit, facts, request):
    seeded = request.mode == "derivative"
    body = list(unit.tree.body)
    out_atom = body.pop().value
    fm = ForwardMode(unit, facts, list(request.wrt))
    tnames = {p: fm.d(p) for p in request.wrt}
    live = set(request.wrt)
    # parameters written in place are copied first (the caller's data stays intact), and
    # a write through a possible view is refused, as in reverse mode
    copies = _param_copies(unit, facts, body)
    code = copies + fm.block(body, live)
    out = out_atom.id if isinstance(out_atom, gast.Name) else None
    if out is not None and out in live:
        tan = N.name(fm.d(out))
    else:
        tan = N.call(unit.ref(R.zeros_grad), [out_atom])
    if seeded:
        code = [N.assign(tnames[p], N.const(1.0)) for p in request.wrt] + code
        tan = N.call(unit.ref(R.as_float_tangent), [tan])
        ret = gast.Tuple(elts=[out_atom, tan], ctx=gast.Load()) if request.with_value else tan
    else:
        ret = gast.Tuple(elts=[out_atom, tan], ctx=gast.Load())
    params = set(tnames.values())
    return Sweeps("forward", unit.tree, unit.tree.name + ("_deriv" if seeded else "_jvp"),
                  [], [], code + [gast.Return(value=ret)],
                  optimize.Options(names=frozenset(set(fm.tan.values()) - params),
                                   keep=params), tuple(unit.namer.guards),
                  tangent_names={} if seeded else tnames)
