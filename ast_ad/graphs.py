"""``ast_ad.graph(f, *args)``: the computation graph of one evaluation, with every node's
value and adjoint, drawn as SVG by this module (no Graphviz needed).

The graph is the tape's record (``ast_ad.tape``): the inputs are its leaves, every
recorded operation a node, the output the last one.  A loop appears once per iteration
(the record of one run); past ``max_nodes`` operations the middle of the record is
summarised by one box saying how many operations it stands for.

>>> import ast_ad
>>> def f(x, y):
...     return x**2*y + y + 2
>>> gr = ast_ad.graph(f, 3.0, 4.0)
>>> [(n.label, n.value) for n in gr.nodes if n.label in ("x ** 2", "f")]
[('x ** 2', 9.0), ('f', 42.0)]
>>> gr.gradients
{'x': 24.0, 'y': 10.0}
>>> gr.to_svg().startswith("<svg")
True
"""

from __future__ import annotations

import html
import operator
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

_SYMBOL = {operator.add: "+", operator.sub: "-", operator.mul: "*", operator.truediv: "/",
           operator.pow: "**", operator.matmul: "@", operator.floordiv: "//",
           operator.mod: "%", np.add: "+", np.subtract: "-", np.multiply: "*",
           np.divide: "/", np.power: "**", np.matmul: "@"}
_UNARY = {operator.neg: "-", np.negative: "-", operator.pos: "+"}


@dataclass
class GraphNode:
    """One node: ``label`` (its expression over the names of its inputs), ``name`` (how
    other nodes refer to it), ``value``, ``adjoint`` (d output / d node), ``inputs``
    (indices of the nodes it reads) and ``kind`` (input / op / output / summary)."""

    name: str
    label: str
    value: object
    adjoint: object
    inputs: list = field(default_factory=list)
    kind: str = "op"
    expression: str = ""  # the operation (for the output too, whose label is f's name)


@dataclass
class Graph:
    """The evaluation graph of ``f`` at some arguments (``nodes`` in evaluation order)."""

    name: str
    nodes: list
    value: object
    gradients: dict

    def __str__(self):
        rows = [f"graph of {self.name}: value {_fmt(self.value)}"]
        for n in self.nodes:
            expr = n.expression or n.label
            rows.append(f"  {n.name:>6} = {expr:<24} value {_fmt(n.value):<12} "
                        f"adjoint {_fmt(n.adjoint)}")
        return "\n".join(rows)

    def _repr_svg_(self):
        return self.to_svg()

    def save(self, path):
        """Write the SVG (``.svg``) or the text listing (any other suffix) to ``path``."""
        text = self.to_svg() if str(path).endswith(".svg") else str(self) + "\n"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return path

    def to_svg(self) -> str:
        return _svg(self)


def graph(f: Callable, *args: Any, wrt: Any = None, max_nodes: int = 60, registry: Any = None,
          **kwargs: Any) -> Graph:
    """The computation graph of ``f(*args, **kwargs)`` with values and adjoints.

    ``wrt`` (default: every float or float-array positional argument) names the inputs
    whose adjoints are the gradients.  Past ``max_nodes`` recorded operations, the middle
    ones are summarised.  Save the picture with ``ast_ad.graph(f, 3.0, 4.0).save("f.svg")``.

    >>> import ast_ad
    >>> def f(x, y):
    ...     return x * x * y + y + 2
    >>> g = ast_ad.graph(f, 3.0, 4.0)
    >>> g.to_svg().startswith("<svg")
    True
    """
    from . import signature
    from .rules.registry import default_registry
    from .tape.engine import forward, scalar_output, seed_like

    if wrt is None:
        wrt = tuple(k for k, a in enumerate(args) if _floaty(a))
        if not wrt:
            raise ValueError("ast_ad.graph: no float argument to differentiate; pass wrt=")
    spec = signature.resolve_wrt(f, wrt)
    registry = registry or default_registry
    trace, boxed, originals, out = forward(f, args, kwargs, spec, registry)
    out_node, value = scalar_output(out, trace, f)
    adj = _adjoints(trace, out_node, seed_like(value)) if out_node is not None else {}
    leaves = {}
    for name, b in zip(spec.names, boxed):
        node = getattr(b, "_node", None)
        if node is not None:
            leaves[node] = name
    return _build(getattr(f, "__name__", "f"), trace, leaves, out_node, adj, value,
                  max_nodes)


def _floaty(a):
    if isinstance(a, (float, np.floating)) and not isinstance(a, bool):
        return True
    return isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.floating)


def _adjoints(trace, out_node, seed):
    """The backward sweep of the tape, keeping every node's adjoint."""
    from .tape.core import Select

    grads = {out_node: seed}
    for node in reversed(trace.nodes):
        g = grads.get(node)
        if g is None or node.fn is Select or isinstance(g, list):
            continue
        for i, p in node.parents:
            if type(p) is list:
                continue
            c = node.rules[i](g, node.ans, *node.args, **(node.kwargs or {}))
            if c is not None:
                grads[p] = c if grads.get(p) is None else grads[p] + c
    return grads


def _build(fname, trace, leaves, out_node, adj, value, max_nodes):
    from .tape.core import Select, describe, primal

    nodes, index = [], {}
    for leaf, name in leaves.items():
        index[leaf] = len(nodes)
        nodes.append(GraphNode(name, name, primal(leaf.ans), adj.get(leaf), [], "input"))
    ops = list(trace.nodes)
    keep = ops
    hidden = 0
    if len(ops) > max_nodes:
        head, tail = max_nodes // 2, max_nodes - max_nodes // 2
        hidden = len(ops) - head - tail
        keep = ops[:head] + [None] + ops[-tail:]
    k = 0
    for node in keep:
        if node is None:
            nodes.append(GraphNode("...", f"{hidden} more operations", None, None, [],
                                   "summary"))
            summary = len(nodes) - 1
            continue
        k += 1
        names, inputs = [], []
        parents = {i: p for i, p in node.parents if type(p) is not list}
        for i, a in enumerate(node.args):
            p = parents.get(i)
            if p is not None:
                j = index.get(p)
                if j is None:  # computed in the summarised middle
                    j = summary
                inputs.append(j)
                names.append(nodes[j].name if nodes[j].kind != "summary" else "...")
            else:
                names.append(_const(a))
        fn = node.fn
        if fn is Select:
            label = f"{names[1] if len(names) > 1 else '?'}[{node.args[0]}]"
        elif fn in _SYMBOL and len(names) == 2:
            label = f"{names[0]} {_SYMBOL[fn]} {names[1]}"
        elif fn in _UNARY and len(names) == 1:
            label = f"{_UNARY[fn]}{names[0]}"
        else:
            label = f"{describe(fn).replace('numpy.', 'np.')}({', '.join(names)})"
        is_out = node is out_node
        name = fname if is_out else f"v{k}"
        index[node] = len(nodes)
        nodes.append(GraphNode(name, fname if is_out else label, primal(node.ans),
                               adj.get(node), inputs, "output" if is_out else "op", label))
    gradients = {n.name: n.adjoint for n in nodes if n.kind == "input"}
    return Graph(fname, nodes, value, gradients)


def _const(a):
    if isinstance(a, (int, float, np.number)) and not isinstance(a, bool):
        return _fmt(a)
    if isinstance(a, np.ndarray):
        return f"array{a.shape}"
    return type(a).__name__


def _fmt(v):
    if v is None:
        return "-"
    if isinstance(v, np.ndarray):
        if v.size <= 3:
            return np.array2string(v, precision=4, separator=", ")
        return f"array{v.shape}"
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return format(float(v), ".6g")
    return type(v).__name__


# -- drawing ------------------------------------------------------------------------------
_W, _H, _GX, _GY = 170, 58, 40, 26


def _svg(gr: Graph) -> str:
    depth = []
    for n in gr.nodes:
        depth.append(0 if not n.inputs else 1 + max(depth[j] for j in n.inputs))
    layers: dict = {}
    pos = []
    for d in depth:
        row = layers.get(d, 0)
        layers[d] = row + 1
        pos.append((d, row))
    width = (max(depth) + 1) * (_W + _GX) + _GX if depth else 200
    height = max(layers.values()) * (_H + _GY) + _GY + 30 if layers else 100

    def xy(k):
        d, r = pos[k]
        return _GX + d * (_W + _GX), 30 + _GY + r * (_H + _GY)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="monospace" font-size="12">',
           '<defs><marker id="a" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
           'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/>'
           '</marker></defs>',
           f'<text x="{_GX}" y="20" font-weight="bold">{html.escape(gr.name)}: value '
           f'{html.escape(_fmt(gr.value))}; adjoint = d{html.escape(gr.name)}/d node</text>']
    for k, n in enumerate(gr.nodes):
        x2, y2 = xy(k)
        for j in n.inputs:
            x1, y1 = xy(j)
            out.append(f'<line x1="{x1 + _W}" y1="{y1 + _H / 2}" x2="{x2}" y2="{y2 + _H / 2}" '
                       f'stroke="#555" marker-end="url(#a)"/>')
    colour = {"input": "#dbeafe", "op": "#f3f4f6", "output": "#dcfce7", "summary": "#fef9c3"}
    for k, n in enumerate(gr.nodes):
        x, y = xy(k)
        out.append(f'<g class="node {n.kind}"><rect x="{x}" y="{y}" width="{_W}" '
                   f'height="{_H}" rx="6" fill="{colour[n.kind]}" stroke="#333"/>')
        title = n.label if n.kind in ("input", "summary") else \
            f"{n.name} = {n.expression or n.label}"
        lines = [title]
        if n.kind != "summary":
            lines += [f"value {_fmt(n.value)}", f"adjoint {_fmt(n.adjoint)}"]
        for i, t in enumerate(lines):
            t = t if len(t) <= 24 else t[:23] + "…"
            out.append(f'<text x="{x + 8}" y="{y + 17 + 16 * i}">{html.escape(t)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
