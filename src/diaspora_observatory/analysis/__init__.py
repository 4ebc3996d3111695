"""Pure analysis functions: a Case (or DataFrames) in, tidy DataFrames and values out. No I/O, no printing."""
