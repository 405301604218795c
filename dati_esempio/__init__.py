"""Builders of example data, outside the runtime code: the demo network (`seed_demo`) and the
national-size benchmark database (`seed_bench`), sharing one generator of service stories."""
