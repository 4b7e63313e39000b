"""The facts ``passes/view_writes.py`` rewrites by: binding forms and the plan."""
