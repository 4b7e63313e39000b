"""The oracles ``check_grad`` compares ast_ad's gradient with: finite differences (and
the complex step), the tape, dual numbers, forward mode and the Hessian."""

from __future__ import annotations

import numpy as np

from .. import signature
from ..errors import AstAdError, NonScalarOutputError
from .args import _describe, _finfo_eps, _scalar
from .report import _CS_STEP, _NOISE, CS, DUAL, FD, TAPE, _allowed, _Cmp


class Oracles:
    """The oracle half of :class:`.check._Check` (a mixin: uses its arguments, steps,
    ``call`` and the comparison lists it fills)."""

    def _finite_differences(self):
        h0 = self._step()
        cs = self.method == "complex-step"
        if cs:
            self.oracles.append(CS)
        for a in self.wargs:
            g = self.flat.get(a.name)
            if g is None:
                continue
            rows = self.dirs.get(a.name)  # None: entry by entry
            n = a.size if rows is None else len(rows)
            fd, noise, mine, scale, cs_vals = (np.zeros(n) for _ in range(5))
            xmax = float(np.max(np.abs(a.flat), initial=0.0))
            for k in range(n):
                if rows is None:
                    step = np.zeros(a.size)
                    step[k] = h0 * max(1.0, abs(a.flat[k]))
                else:
                    step = rows[k] * (h0 * max(1.0, xmax))
                xp, xm = a.build(a.flat + step, self.fd_mode), a.build(a.flat - step, self.fd_mode)
                dx = (a.flatten(xp) - a.flatten(xm)) / 2.0  # the step actually taken
                h = float(dx[k]) if rows is None else float(np.linalg.norm(dx))
                if h == 0.0:
                    raise AstAdError(f"check_grad: the finite-difference step for "
                                     f"{a.labels[k] if rows is None else a.name} rounds to "
                                     "zero; pass a larger eps")
                fp, fm = self.call({a.name: xp}), self.call({a.name: xm})
                fd[k] = (float(fp) - float(fm)) / (2.0 * h)
                noise[k] = _NOISE * _finfo_eps(fp) * (abs(float(fp)) + abs(float(fm))) / (2 * h)
                if rows is None:
                    mine[k] = g[k]
                else:  # <g, dx> / h, and the size of its terms (for rounding in the sum)
                    mine[k] = float(g @ dx) / h
                    scale[k] = float(np.abs(g) @ np.abs(dx)) / h
                if cs:
                    cs_vals[k] = self._complex_step(a, k, rows)
            table = "entries" if rows is None else "directions"
            extra = noise + self.rtol * scale
            cmps = self.cmps[a.name]
            cmps.append(_Cmp(table, FD, mine, fd, _allowed(fd, self.atol, self.rtol, a.low, extra)))
            if cs:
                cmps.append(_Cmp(table, CS, mine, cs_vals,
                                 _allowed(cs_vals, self.atol, self.rtol, a.low, self.rtol * scale)))
                cmps.append(_Cmp(table, f"{CS} vs {FD}", cs_vals, fd,
                                 _allowed(fd, self.atol, self.rtol, a.low, extra),
                                 column=False, against=CS))

    def _complex_step(self, a, k, rows):
        if rows is None:
            step = np.zeros(a.size)
            step[k] = _CS_STEP
        else:
            step = rows[k] * _CS_STEP
        try:
            x = a.build(a.flat + 1j * step, "complex")
            out = self.call({a.name: x})
        except NonScalarOutputError:
            raise
        except Exception as e:
            raise AstAdError(
                f"check_grad: method='complex-step' needs {self.name} to accept complex input, "
                f"but it raised {type(e).__name__}: {e} (math.* and float() reject complex "
                "numbers); use method='central'"
            ) from e
        return float(np.imag(out)) / _CS_STEP

    def _tape(self):
        from .. import tape as _tape

        try:
            tg = _tape.grad(self.f, wrt=self.wrt, registry=self.registry)(*self.args, **self.kwargs)
        except Exception as e:
            self.problems.append(
                f"tape: ast_ad.tape.grad could not run {self.name}: {type(e).__name__}: {e} "
                "(pass tape=False to check without the tape)")
            return
        self.oracles.append(TAPE)
        tg = (tg,) if self.spec.single else tuple(tg)
        self._exact(TAPE, tg)

    def _exact(self, name, grads):
        """An oracle giving whole gradients: compare entry by entry (and on directions)."""
        for a, t in zip(self.wargs, grads):
            g = self.flat.get(a.name)
            if g is None:
                continue
            tf = a.flatten_grad(t)
            if tf is None:
                self.problems.append(f"{name}: its gradient of {a.name} has the wrong size "
                                     f"({_describe(t)})")
                continue
            self.cmps[a.name].append(_Cmp("entries", name, g, tf,
                                          _allowed(tf, self.atol, self.rtol, a.low)))
            rows = self.dirs.get(a.name)
            if rows is not None:
                tv, gv = rows @ tf, rows @ g
                scale = np.abs(rows) @ np.abs(tf)
                self.cmps[a.name].append(_Cmp("directions", name, gv, tv, _allowed(
                    tv, self.atol, self.rtol, a.low, self.rtol * scale)))

    def _dual(self):
        if not all(isinstance(a.value, (int, float, np.integer, np.floating)) for a in self.wargs):
            return  # dual numbers check scalar arguments only
        from .. import dual as _dual

        try:
            d = _dual.derivative(self.f, wrt=self.wrt)(*self.args, **self.kwargs)
            d = (d,) if self.spec.single else tuple(d)
            if not all(np.ndim(x) == 0 for x in d):
                raise TypeError("f does not return a scalar on dual numbers")
            d = tuple(float(np.real(x)) for x in d)
        except Exception as e:
            self.skipped[DUAL] = f"dual numbers could not run f ({type(e).__name__}: {e})"
            return
        self.oracles.append(DUAL)
        self._exact(DUAL, d)

    def _jvp(self):
        import ast_ad

        params = list(self.bound.signature.parameters)
        pos = [p for p, v in self.bound.signature.parameters.items()
               if v.kind in (v.POSITIONAL_ONLY, v.POSITIONAL_OR_KEYWORD)]
        if self.kwargs or any(n not in pos for n in self.spec.names):
            raise AstAdError("check_grad: modes with 'fwd' needs the differentiated "
                             "arguments passed positionally and no kwargs")
        rng = np.random.default_rng(self.seed + 1)
        primals = tuple(self.bound.arguments[p] for p in params if p in pos)
        fd, got, allowed = [], [], []
        h0 = self._step()
        for k in range(2):
            vs = {a.name: rng.standard_normal(a.size) for a in self.wargs}
            tangents = tuple(
                next(a for a in self.wargs if a.name == p).build(vs[p])
                if p in vs else signature.zero_like(self.bound.arguments[p]) for p in pos)
            out = ast_ad.jvp(self.f, primals, tangents)
            t_out = float(np.real(_scalar(out[1], "ast_ad.jvp")))
            scale = max([1.0] + [float(np.max(np.abs(a.flat), initial=0.0)) for a in self.wargs])
            h = h0 * scale / max(1.0, max(float(np.linalg.norm(v)) for v in vs.values()))
            rp = {a.name: a.build(a.flat + h * vs[a.name], self.fd_mode) for a in self.wargs}
            rm = {a.name: a.build(a.flat - h * vs[a.name], self.fd_mode) for a in self.wargs}
            fp, fm = self.call(rp), self.call(rm)
            d = (float(fp) - float(fm)) / (2 * h)
            noise = _NOISE * _finfo_eps(fp) * (abs(float(fp)) + abs(float(fm))) / (2 * h)
            fd.append(d)
            got.append(t_out)
            allowed.append(float(_allowed([d], self.atol, self.rtol,
                                          any(a.low for a in self.wargs), noise)[0]))
        self.oracles.append("jvp")
        self.extra.append(("forward mode: ast_ad.jvp(f, primals, v) against finite "
                           "differences along v", ["v0", "v1"],
                           [_Cmp("jvp", FD, np.array(got), np.array(fd), np.array(allowed))],
                           "ast_ad.jvp"))

    def _hessian(self):
        import ast_ad

        if not self.spec.single:
            raise AstAdError("check_grad: order=2 checks one argument (wrt an int or a name)")
        a = self.wargs[0]
        H = ast_ad.hessian(self.f, wrt=self.wrt)(*self.args, **self.kwargs)
        H = np.asarray(H, dtype=float).reshape(a.size, a.size)
        g = ast_ad.grad(self.f, wrt=self.wrt, registry=self.registry)
        h0 = 1e-5 if self.eps is None else float(self.eps)  # differences of a gradient
        rows = self.dirs.get(a.name)
        n = a.size if rows is None else len(rows)
        xmax = float(np.max(np.abs(a.flat), initial=0.0))
        got, fd, allowed, labels = [], [], [], []
        for k in range(n):
            if rows is None:
                v = np.zeros(a.size)
                v[k] = 1.0
                h = h0 * max(1.0, abs(a.flat[k]))
            else:
                v, h = rows[k], h0 * max(1.0, xmax)
            gp = a.flatten(self.call({a.name: a.build(a.flat + h * v, self.fd_mode)}, g))
            gm = a.flatten(self.call({a.name: a.build(a.flat - h * v, self.fd_mode)}, g))
            col = (gp - gm) / (2 * h)
            noise = _NOISE * np.finfo(float).eps * (np.abs(gp) + np.abs(gm)) / (2 * h)
            # truncation error of the differences of a gradient: rtol at least 1e-5
            got += list(H @ v)
            fd += list(col)
            allowed += list(_allowed(col, self.atol, max(self.rtol, 1e-5), a.low, noise))
            labels += [f"H[{a.labels[i]}, {a.labels[k]}]" if rows is None
                       else f"(H v{k})[{a.labels[i]}]" for i in range(a.size)]
        self.oracles.append("hessian")
        self.extra.append(("second order: ast_ad.hessian against finite differences of "
                           "ast_ad.grad", labels,
                           [_Cmp("hessian", FD, np.array(got), np.array(fd), np.array(allowed))],
                           "ast_ad.hessian"))

