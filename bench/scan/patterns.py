#!/usr/bin/env python3
"""Prints gardefou's rule patterns, one per line, for `rg -f` (the ceiling in run.sh).

Multi-line rules are cut to their first line (rg searches line by line without -U)."""
import pathlib, sys, tomllib

rules = pathlib.Path(__file__).resolve().parents[2] / "crates/gardefou-kinds/rules"
for path in sorted(rules.glob("*.toml")):
    for rule in tomllib.loads(path.read_text())["rules"]:
        pattern = rule["pattern"]
        if rule.get("multiline"):
            # The line that opens the match, up to where the rule crosses lines.
            pattern = pattern.split("-----(?:", 1)[0].replace("(?s)", "") + "-----"
        sys.stdout.write(pattern + "\n")
