"""Performance harness (`make bench`): not tests. Each area module has
`run(quick: bool) -> dict` returning its figures and targets."""
