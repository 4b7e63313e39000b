"""Built-in derivative rules (importing this package registers them)."""
