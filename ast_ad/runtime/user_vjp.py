"""The hook through which a rule differentiates a user function handed to a library call
(``scipy.integrate.odeint``'s ``func``) at run time: it is installed in the rule registry's
hook table, so the rule modules stay below the API they call back into."""

from __future__ import annotations

from ..rules.registry import _DERIVE


def user_vjp(f, *primals, wrt):
    """``ast_ad.vjp(f, *primals, wrt=wrt)`` (``f`` is transformed like any user function)."""
    from ..forward_api import vjp

    return vjp(f, *primals, wrt=wrt)


_DERIVE["user_vjp"] = user_vjp
