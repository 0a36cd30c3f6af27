"""Reference data the rest of the pipeline reads: the indicator catalog (data/catalog.toml),
the places (data/villages.csv), how clerks spell values, and the problem codes."""
