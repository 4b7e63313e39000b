"""The facts ``passes/view_writes.py`` rewrites by: binding forms (``forms``) and which
views to rewrite (``plan``).

>>> import gast
>>> from types import SimpleNamespace
>>> from ast_ad.passes.views_lowering import forms
>>> s = gast.parse("v = y[1:]").body[0]
>>> v = forms.binding(s, SimpleNamespace(callable=lambda f: None))
>>> v.name, v.base, v.step.kind
('v', 'y', 'sub')
"""
