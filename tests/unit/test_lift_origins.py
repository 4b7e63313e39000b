"""frontend/lift.ORIGINS is keyed by identity: code objects compare by content (not by
file), so two identical nested defs lifted from two functions must not share an entry
(the first one's death took the second's, and its generated comments then named an
internal file's line)."""

import gc

from ast_ad.frontend.lift import ORIGINS, _ByIdentity


def _code(filename):
    return compile("def helper(v):\n    return v * v\n", filename, "exec")


def test_equal_code_objects_keep_their_own_entries():
    a, b = _code("<lifted a>"), _code("<lifted b>")
    assert a == b and a is not b  # (the reason: equal, and hashed alike)
    m = _ByIdentity()
    m[a] = "a"
    m[b] = "b"
    assert (m.get(a), m.get(b)) == ("a", "b")
    del a
    gc.collect()
    assert m.get(b) == "b"
    assert m.get(_code("<lifted c>")) is None


def test_entries_go_with_their_code_object():
    m = _ByIdentity()
    c = _code("<lifted d>")
    m[c] = 1
    assert len(m._d) == 1
    del c
    gc.collect()
    assert not m._d
    assert isinstance(ORIGINS, _ByIdentity)
