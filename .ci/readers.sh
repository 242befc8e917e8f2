#!/usr/bin/env bash
# Optional CI step: reads a small lakehouse with other engines — Python `deltalake` +
# pyarrow, DuckDB's delta extension and Polars — with filters on string, date and key
# columns, and checks every Parquet footer declares plain strings (no string_view).
#
# The Python packages go to a venv in $HOME/.cache/ehr-lakehouse/pyenv (created once,
# reused). Without Python, or when the package index is unreachable, the step prints
# "skipped: <why>" and exits 0.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ehr-lakehouse/target}"
pyenv_dir="$HOME/.cache/ehr-lakehouse/pyenv"
packages=(deltalake pyarrow duckdb polars)

if ! command -v python3 >/dev/null 2>&1; then
    echo "skipped: python3 is not installed"
    exit 0
fi
if [ ! -x "$pyenv_dir/bin/python" ]; then
    if ! python3 -m venv "$pyenv_dir" >/dev/null 2>&1; then
        rm -rf "$pyenv_dir"
        echo "skipped: python3 cannot create a venv (python3-venv missing?)"
        exit 0
    fi
fi
if ! "$pyenv_dir/bin/python" -c "import deltalake, pyarrow, duckdb, polars" >/dev/null 2>&1; then
    if ! "$pyenv_dir/bin/python" -m pip install --quiet --disable-pip-version-check \
        --timeout 30 "${packages[@]}"; then
        echo "skipped: could not install ${packages[*]} from the package index (offline?)"
        exit 0
    fi
fi

lake_dir="$(mktemp -d)"
trap 'rm -rf "$lake_dir"' EXIT
if ! cargo run --quiet --example synthea_lakehouse -- --out "$lake_dir/lake" --patients 30 --seed 7 \
    >"$lake_dir/run.log" 2>&1; then
    cat "$lake_dir/run.log"
    exit 1
fi

"$pyenv_dir/bin/python" - "$lake_dir/lake" <<'PY'
import pathlib
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import polars as pl
from deltalake import DeltaTable

lake = pathlib.Path(sys.argv[1])
tables = sorted(p.parent for p in lake.glob("*/*/_delta_log"))
assert tables, f"no tables under {lake}"

# 1. Every Parquet footer declares plain strings.
views = []
for table in tables:
    for file in table.rglob("*.parquet"):
        for field in pq.read_schema(file):
            if "view" in str(field.type):
                views.append(f"{file.relative_to(lake)}: {field.name} {field.type}")
assert not views, "string_view in Parquet footers:\n" + "\n".join(views[:20])
print(f"ok: {len(tables)} tables, no view types in any Parquet footer")

# 2. Filtered reads through pyarrow (what failed on string_view).
patients = lake / "silver" / "patients"
everyone = DeltaTable(str(patients)).to_pyarrow_table()
gender = next(g for g in everyone.column("gender").to_pylist() if g is not None)
females = DeltaTable(str(patients)).to_pyarrow_table(filters=[("gender", "=", gender)])
assert 0 < females.num_rows <= everyone.num_rows, (females.num_rows, everyone.num_rows)
print(f"ok: pyarrow filter on silver/patients.gender: {females.num_rows} of {everyone.num_rows}")

# 3. The same filter through Polars.
polars_count = pl.scan_delta(str(patients)).filter(pl.col("gender") == gender).collect().height
assert polars_count == females.num_rows, (polars_count, females.num_rows)
print(f"ok: polars scan_delta filter: {polars_count}")

# 4. Statistics exist for the columns people filter on (here: the batch lineage).
encounters = DeltaTable(str(lake / "silver" / "encounters"))
stats = pa.table(encounters.get_add_actions(flatten=True)).column_names
assert any(k.startswith("min.") and k.endswith("_batch_id") for k in stats), sorted(stats)
print("ok: silver/encounters files have statistics for _batch_id")

# 5. Every gold table, with a filtered read, through deltalake + pyarrow and Polars: the
#    first column that holds a non-null string, integer or date value is filtered on
#    that value, and both readers must return the same non-zero number of rows.
gold = sorted(p for p in tables if p.parent.name == "gold")
assert gold, "no gold tables"
filters = {}
for table in gold:
    data = DeltaTable(str(table)).to_pyarrow_table()
    column, value = None, None
    for field in data.schema:
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type) \
                or pa.types.is_integer(field.type) or pa.types.is_date32(field.type):
            value = next((v for v in data.column(field.name).to_pylist() if v is not None), None)
            if value is not None:
                column = field.name
                break
    if column is None:
        print(f"note: {table.name}: no filterable column with a value ({data.num_rows} rows)")
        continue
    filtered = DeltaTable(str(table)).to_pyarrow_table(filters=[(column, "=", value)])
    polars_rows = pl.scan_delta(str(table)).filter(pl.col(column) == value).collect().height
    assert 0 < filtered.num_rows == polars_rows, (table.name, column, filtered.num_rows, polars_rows)
    filters[table] = (column, value, filtered.num_rows)
print(f"ok: filtered reads of {len(filters)} of {len(gold)} gold tables agree (deltalake+pyarrow, polars)")

# 6. DuckDB's delta extension (downloads the extension; skipped when unavailable).
try:
    import duckdb

    con = duckdb.connect()
    con.execute("INSTALL delta; LOAD delta;")
    (duck_count,) = con.execute(
        f"SELECT count(*) FROM delta_scan('{patients}') WHERE gender = '{gender}'"
    ).fetchone()
    assert duck_count == females.num_rows, (duck_count, females.num_rows)
    for table, (column, value, rows) in filters.items():
        (duck_rows,) = con.execute(
            f"SELECT count(*) FROM delta_scan('{table}') WHERE \"{column}\" = ?", [value]
        ).fetchone()
        assert duck_rows == rows, (table.name, column, duck_rows, rows)
    print(f"ok: duckdb delta_scan filters: silver/patients and {len(filters)} gold tables")
except duckdb.Error as e:
    print(f"skipped: duckdb delta extension unavailable ({e.__class__.__name__})")

# 7. Run ids in the history join to _runs.
runs = pl.read_delta(str(lake / "_runs"))
history = DeltaTable(str(patients)).history()
ids = {h.get("run_id") for h in history}
assert ids <= set(runs["run_id"].to_list()), ids
print(f"ok: every silver/patients commit names a run in _runs ({len(history)} commits)")
PY
