"""The EDI engine and maps: pure functions with no I/O, importable without a database,
broker or network (also what `edigw translate` and the onboarding dry-run use)."""
