"""Demo data for `make run`: one association, three regions, fifteen stores, people of every role."""
