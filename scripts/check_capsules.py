#!/usr/bin/env python3
"""Capsule boundaries: a crate's SQL names only the tables it owns, and it calls another capsule
through that capsule's public functions, never its `repo` module.

Each crate's README.md says which tables it owns on a line starting `Tables:` (names in backticks,
`schema.table` for the catalog's). This script reads every SQL string literal in every crate's
src/ (not its tests) and fails, naming file, line and table, when one names a table another crate
owns — that crate exports a function instead. Known violations still being removed are listed in
ALLOWED with the reason; an entry that no longer occurs fails too, so the list only shrinks.
A path `mvp_<other>::repo::` in a crate's src/ fails the same way (the owner exports a function
from its lib.rs). Part of `make ci`; `--self-test` shows both failing on deliberate violations.
"""
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# (crate dir, table) pairs that still cross a boundary; each is work in the architecture issue.
ALLOWED = {}
# The test harness builds and inspects whole databases; it owns no capsule.
EXEMPT = {"test-support"}

# A small lexer: the leftmost of these at each point, so a quote inside a comment or a char literal
# ('"') never starts a string. Only the `string` group is SQL to read.
TOKEN = re.compile(
    r'(?P<comment>//[^\n]*|/\*(?:.|\n)*?\*/)'
    r"|(?P<char>'(?:[^'\\\n]|\\.[^']*)')"
    r'|(?P<string>r(?P<hashes>#*)"(?:.|\n)*?"(?P=hashes)|"(?:[^"\\]|\\.)*")',
    re.DOTALL,  # an escaped line break (`\` at the end of a line) is part of a string
)
TABLE = re.compile(
    r"\b(?:from|join|into|update|table|exists)\s+(?:only\s+)?([a-z_][a-z0-9_]*)(\.[a-z_{][a-z0-9_{}]*)?",
    re.IGNORECASE,
)
SQL_HINT = re.compile(r"\b(select|insert|update|delete|with)\b", re.IGNORECASE)
REPO_PATH = re.compile(r"\bmvp_([a-z_]+)::repo::")


def owners(crates: Path) -> dict:
    owned = {}
    for readme in sorted(crates.glob("*/README.md")):
        for line in readme.read_text().splitlines():
            if line.lstrip("*# ").startswith("Tables:"):
                for table in re.findall(r"`([a-z_][a-z0-9_.]*)`", line):
                    owned[table] = readme.parent.name
    return owned


def violations(crates: Path, owned: dict) -> list:
    found = []
    for crate in sorted(p for p in crates.iterdir() if (p / "src").is_dir()):
        if crate.name in EXEMPT:
            continue
        for source in sorted((crate / "src").rglob("*.rs")):
            text = source.read_text()
            for literal in TOKEN.finditer(text):
                sql = literal.group("string")
                if not sql or not SQL_HINT.search(sql):
                    continue
                for match in TABLE.finditer(sql):
                    name, qualified = match.group(1).lower(), (match.group(2) or "").lower()
                    if qualified.startswith(".{"):
                        # `schema.{table}` built at run time: whoever owns tables in that schema.
                        table = next((t for t in owned if t.startswith(name + ".")), name + ".*")
                    else:
                        table = name + qualified
                    owner = owned.get(table)
                    if owner is None or owner == crate.name:
                        continue
                    line = text.count("\n", 0, literal.start() + match.start()) + 1
                    found.append((crate.name, table, owner, f"{source.relative_to(crates.parent)}:{line}"))
    return found


def repo_calls(crates: Path) -> list:
    """`mvp_other::repo::…` used outside `other`: (crate, other, file:line)."""
    found = []
    for crate in sorted(p for p in crates.iterdir() if (p / "src").is_dir()):
        if crate.name in EXEMPT:
            continue
        for source in sorted((crate / "src").rglob("*.rs")):
            text = source.read_text()
            for match in REPO_PATH.finditer(text):
                other = match.group(1).replace("_", "-")
                if other == crate.name:
                    continue
                line = text.count("\n", 0, match.start()) + 1
                found.append((crate.name, other, f"{source.relative_to(crates.parent)}:{line}"))
    return found


def check(crates: Path, allowed: dict) -> int:
    owned = owners(crates)
    if not owned:
        print("capsules: no `Tables:` line in any crate README", file=sys.stderr)
        return 1
    found = violations(crates, owned)
    bad = [v for v in found if (v[0], v[1]) not in allowed]
    for crate, table, owner, where in bad:
        print(f"{where}: mvp-{crate}'s SQL names `{table}`, a table of mvp-{owner}; call mvp-{owner}'s public function instead")
    seen = {(v[0], v[1]) for v in found}
    stale = [k for k in allowed if k not in seen]
    for crate, table in stale:
        print(f"scripts/check_capsules.py: ALLOWED lists ({crate}, {table}), which no longer occurs; remove it")
    calls = repo_calls(crates)
    for crate, other, where in calls:
        print(f"{where}: mvp-{crate} calls mvp-{other}'s repo module; call a public function of mvp-{other} instead")
    tables = len(owned)
    print(f"capsules: {tables} tables in {len(set(owned.values()))} crates; {len(found) - len(bad)} known crossings left, {len(bad)} new; {len(calls)} calls into another capsule's repo")
    return 1 if bad or stale or calls else 0


def self_test() -> int:
    """A crate that reads another's table must fail the check."""
    with tempfile.TemporaryDirectory() as tmp:
        crates = Path(tmp) / "crates"
        for name, table in [("alpha", "alphas"), ("beta", "betas")]:
            (crates / name / "src").mkdir(parents=True)
            (crates / name / "README.md").write_text(f"# {name}\n\nTables: `{table}`\n")
        (crates / "alpha" / "src" / "repo.rs").write_text('fn q() { let _ = "select * from alphas a join betas b on b.id = a.id"; }\n')
        (crates / "beta" / "src" / "repo.rs").write_text('fn q() { let _ = "select id from betas"; }\n')
        status = check(crates, {})
        print(f"capsules self-test: a deliberate table violation {'fails' if status else 'PASSES (broken check)'}")
        # The same tree without the table crossing, but with a call into beta's repo module.
        (crates / "alpha" / "src" / "repo.rs").write_text('fn q() { let _ = "select * from alphas"; }\n')
        (crates / "alpha" / "src" / "api.rs").write_text("fn f() { mvp_beta::repo::find(); }\n")
        called = check(crates, {})
        print(f"capsules self-test: a call into another capsule's repo {'fails' if called else 'PASSES (broken check)'}")
        return 0 if status and called else 1


if __name__ == "__main__":
    if "--self-test" in sys.argv:
        sys.exit(self_test())
    sys.exit(check(ROOT / "crates", ALLOWED))
