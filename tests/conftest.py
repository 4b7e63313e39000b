"""Suite-wide settings."""

from ast_ad.passes.optimize import common

# The optimizer reuses name counts between optimizations that report no change; in the
# suite every reuse is recounted and compared, so an optimization that changes code
# without saying so fails here instead of misleading the next one.
common._CHECK = True
