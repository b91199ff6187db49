#!/usr/bin/env python3
"""Prints every keyword of gardefou's rules, one per line, for `rg -F -i -f`: the
prefilter pass alone, i.e. the floor any scanner with these rules must pay."""
import pathlib, sys, tomllib

rules = pathlib.Path(__file__).resolve().parents[2] / "crates/gardefou-kinds/rules"
seen = set()
for path in sorted(rules.glob("*.toml")):
    for rule in tomllib.loads(path.read_text())["rules"]:
        for kw in rule.get("keywords", []):
            if kw.lower() not in seen:
                seen.add(kw.lower())
                sys.stdout.write(kw + "\n")
