"""The scripted demo of scenario A (`edigw demo scenario-a`): ACME Freight's side of the
exchange (its own AS2 endpoint, store and keys) played against a running gateway.

`keys` creates the demo keys the shipped example profile names, `acme` is ACME's AS2 side,
`scenario_a` tells the story step by step. See docs/decisions/0004-demo-keys.md."""
