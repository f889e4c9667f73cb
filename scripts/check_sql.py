#!/usr/bin/env python3
"""Lint the SQL in queries/ for the two engines it must run on.

Every file under queries/ runs unchanged on Athena engine 3 (Trino) and on the
embedded engine (DataFusion); see DESIGN.md "Queries" and ATHENA_GLUE.md §5.
For each queries/**/*.sql this script checks that:

- sqlglot parses it with the Athena dialect, raising on any error;
- it is one statement, with no semicolon (the convention of this folder:
  the text goes as is into `CREATE VIEW … AS`, Glue's originalSql and the
  embedded engine);
- it uses none of the constructs that only one engine accepts (QUALIFY,
  if(), regr_r2, median, count_if, mod(), year(), date_diff, a 60000.0
  literal, backticks, ILIKE, CROSS JOIN UNNEST, FETCH); comments and string
  literals are not searched;
- a view (queries/views/<name>.sql) is a bare query (SELECT, or WITH …
  SELECT), has <name>.columns beside it with one `name type` per line in
  Glue's Hive types, and, when its outer SELECT names its columns, names the
  same columns in the same order.

Usage: scripts/check_sql.py [QUERIES_DIR]   (default: queries/ of this repo)
Prints one line per file and `N passed, M failed`; exits 1 on any failure.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

# (regex, why) searched in the text with comments and string literals blanked.
FORBIDDEN = [
    (r"\bqualify\b", "QUALIFY (Athena has none: use a CTE and WHERE rn = 1)"),
    (r"\bif\s*\(", "if() (DataFusion has none: use CASE)"),
    (r"\bregr_r2\s*\(", "regr_r2 (Athena has none: use power(corr(y, x), 2))"),
    (r"\bmedian\s*\(", "median (Athena has none)"),
    (r"\bcount_if\s*\(", "count_if (DataFusion has none: use count(CASE WHEN … THEN 1 END))"),
    (r"\bmod\s*\(", "mod() (DataFusion has none: use %)"),
    (r"\byear\s*\(", "year() (DataFusion has none: use EXTRACT(YEAR FROM …))"),
    (r"\bdate_diff\b", "date_diff (DataFusion has none)"),
    (r"\b60000\.\d*(?![\d.eE])", "60000.0 (Athena reads it as a DECIMAL: write 60000e0)"),
    (r"`", "a backtick (quote identifiers with \"…\")"),
    (r"\bilike\b", "ILIKE (use lower(x) LIKE …)"),
    (r"\bcross\s+join\s+unnest\b", "CROSS JOIN UNNEST (DataFusion cannot run it)"),
    (r"\bfetch\b", "FETCH (DataFusion has none: use LIMIT)"),
]
FORBIDDEN_RE = [(re.compile(p, re.IGNORECASE), why) for p, why in FORBIDDEN]

HIVE_TYPES = {"string", "int", "bigint", "double", "boolean", "date", "timestamp", "array<string>"}


def blank_comments_and_strings(sql: str) -> str:
    """The text with comments and the insides of string literals replaced by
    spaces (newlines kept, so line numbers hold). Quoted identifiers stay."""
    out = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", sql[i:j]))
            i = j
        elif c == "'":
            j = i + 1
            while j < n:
                if sql[j] == "'":
                    if j + 1 < n and sql[j + 1] == "'":  # '' escapes a quote
                        j += 2
                        continue
                    break
                j += 1
            j = min(j + 1, n)
            out.append("'" + re.sub(r"[^\n]", " ", sql[i + 1 : j - 1]) + "'")
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def check_columns_file(columns_path: Path, statement: exp.Expression) -> list[str]:
    """Problems with a view's .columns file (format, and names vs the SELECT)."""
    problems = []
    if not columns_path.is_file():
        return [f"{columns_path.name} is missing beside the view (one `name type` per line)"]
    declared = []
    for number, line in enumerate(columns_path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2:
            problems.append(f"{columns_path.name}:{number}: expected `name type`, got {line!r}")
            continue
        name, hive_type = parts
        if hive_type not in HIVE_TYPES:
            problems.append(
                f"{columns_path.name}:{number}: type {hive_type!r} is not one of {sorted(HIVE_TYPES)}"
            )
        if name != name.lower():
            problems.append(f"{columns_path.name}:{number}: column {name!r} must be lower-case")
        declared.append(name)
    if len(set(declared)) != len(declared):
        problems.append(f"{columns_path.name}: a column is declared twice")
    select = statement if isinstance(statement, exp.Select) else None
    if select is not None and not any(isinstance(e, exp.Star) or e.is_star for e in select.expressions):
        for e in select.expressions:
            if not isinstance(e, (exp.Alias, exp.Column)):
                problems.append(f"output column {e.sql(dialect='athena')!r} has no name: alias it")
        named = [e.alias_or_name for e in select.expressions]
        if named != declared:
            problems.append(
                f"{columns_path.name} declares {declared} but the view selects {named}"
            )
    return problems


def check_file(path: Path, queries_dir: Path) -> list[str]:
    """Every problem found in one .sql file (empty when it passes)."""
    text = path.read_text()
    problems = []
    code = blank_comments_and_strings(text)
    if ";" in code:
        problems.append(f"line {line_of(code, code.index(';'))}: no semicolons in queries/ (one statement per file)")
    for regex, why in FORBIDDEN_RE:
        for match in regex.finditer(code):
            problems.append(f"line {line_of(code, match.start())}: not portable: {why}")

    try:
        statements = sqlglot.parse(text, read="athena", error_level=ErrorLevel.RAISE)
    except sqlglot.errors.ParseError as err:
        for e in err.errors or [{"description": str(err)}]:
            where = f"line {e.get('line')}, col {e.get('col')}: " if e.get("line") else ""
            near = f" near {e['highlight']!r}" if e.get("highlight") else ""
            problems.append(f"{where}sqlglot (athena) cannot parse it: {e.get('description')}{near}")
        return problems
    except sqlglot.errors.SqlglotError as err:
        return problems + [f"sqlglot (athena) cannot parse it: {err}"]
    statements = [s for s in statements if s is not None]
    if len(statements) != 1:
        problems.append(f"expected one statement, found {len(statements)}")

    is_view = path.parent == queries_dir / "views"
    if is_view and statements:
        statement = statements[0]
        if not isinstance(statement, exp.Query):
            problems.append(
                f"a view file must be a bare SELECT (or WITH … SELECT), not {statement.key.upper()}"
            )
        else:
            problems += check_columns_file(path.with_suffix(".columns"), statement)
    return problems


def main(argv: list[str]) -> int:
    if len(argv) > 2:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    default = Path(__file__).resolve().parent.parent / "queries"
    queries_dir = Path(argv[1]) if len(argv) == 2 else default
    files = sorted(queries_dir.rglob("*.sql"))
    if not files:
        print(f"FAIL no .sql files under {queries_dir}")
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    for path in files:
        name = path.relative_to(queries_dir.parent)
        problems = check_file(path, queries_dir)
        if problems:
            failed += 1
            print(f"FAIL {name}")
            for problem in problems:
                print(f"     {name}: {problem}")
        else:
            passed += 1
            print(f"ok   {name}")
    for columns in sorted((queries_dir / "views").glob("*.columns")):
        if not columns.with_suffix(".sql").is_file():
            failed += 1
            print(f"FAIL {columns.relative_to(queries_dir.parent)}: no view {columns.stem}.sql beside it")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
