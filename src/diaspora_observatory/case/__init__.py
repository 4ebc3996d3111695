"""A case: one study as a Frictionless data package, loaded, typed and checked."""
