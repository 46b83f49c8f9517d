import assert from "node:assert/strict";
import {
  formatFreshDatabaseSection,
  FreshDatabaseResults,
  migrationSql,
  SCHEMAS,
} from "../../bench/fresh-database-report";

const figures = (label: string, tables: number, clone: number[], recreate: number[]) => ({
  label,
  tables,
  rowsPerTable: tables === 0 ? 0 : 1000,
  sizeBytes: tables === 0 ? 7.5 * 1024 * 1024 : 36 * 1024 * 1024,
  snapshotMs: tables === 0 ? 20 : 70,
  cloneMs: clone,
  dropMs: [2, 3],
  recreateMs: recreate,
});

describe("bench: fresh database section", () => {
  it("builds the 200-table migration as one statement, and none for the empty schema", () => {
    assert.deepEqual(
      SCHEMAS.map((s) => [s.label, s.tables, s.rowsPerTable]),
      [
        ["empty schema", 0, 0],
        ["200 tables × 1,000 rows", 200, 1000],
      ],
    );
    assert.equal(migrationSql(SCHEMAS[0]), "SELECT 1");
    assert.equal(
      migrationSql({ label: "x", tables: 2, rowsPerTable: 5 }),
      "DO $$ BEGIN FOR i IN 1..2 LOOP EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, name text NOT NULL, amount numeric NOT NULL, created timestamptz NOT NULL DEFAULT now())', i); " +
        "EXECUTE format('INSERT INTO t%s (id, name, amount) SELECT g, ''row '' || g, g * 1.5 FROM generate_series(1, 5) g', i); END LOOP; END $$",
    );
  });

  it("reports median / p95 per way and schema, and whether the clone target is met", () => {
    const results: FreshDatabaseResults = {
      postgres: "PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc",
      strategy: "FILE_COPY",
      schemas: [
        figures("empty schema", 0, [6, 7, 8, 9], [0.4, 0.5]),
        figures("200 tables × 1,000 rows", 200, [25, 30, 45, 60], [1100, 1200]),
      ],
      newStack: { upMs: [4200, 4300, 4500], dataHealthyMs: [2000, 2100, 2050] },
    };
    assert.equal(
      formatFreshDatabaseSection(results),
      [
        "## A fresh database per test",
        "",
        "Time until a test has its own database in the state the migrations left, on the test stack's Postgres (PostgreSQL 15.18 (Debian 15.18-0+deb12u1), tmpfs, fsync off), " +
          "median / p95 over 4 clones and 2 / 2 schema rebuilds per schema; new stacks: 3 runs, each in a fresh process.",
        "",
        "| way to a fresh database | empty schema | 200 tables × 1,000 rows |",
        "| --- | --- | --- |",
        "| clone of a snapshot (`clone()`: `CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY`) | 7.5 / 9.0 ms | 37.5 / 60.0 ms |",
        "| drop and recreate the schema, migrations again | 0.5 / 0.5 ms | 1150 / 1200 ms |",
        "| a new stack: `up` until every gate passed | 4.30 s / 4.50 s | 4.30 s / 4.50 s |",
        "| a new stack: until Postgres and Redis are healthy | 2.05 s / 2.10 s | 2.05 s / 2.10 s |",
        "",
        "Target, clone median under 50 ms: empty schema met, 200 tables × 1,000 rows met. Dropping a clone: 2.5 / 3.0 ms (empty schema), 2.5 / 3.0 ms (200 tables × 1,000 rows). " +
          "Templates: 7.5 MB (empty schema, snapshot 20.0 ms), 36.0 MB (200 tables × 1,000 rows, snapshot 70.0 ms).",
        "",
      ].join("\n"),
    );
  });

  it("marks a missed target", () => {
    const slow = figures("200 tables × 1,000 rows", 200, [60, 70], [1]);
    const text = formatFreshDatabaseSection({
      postgres: "PostgreSQL 15",
      strategy: "FILE_COPY",
      schemas: [figures("empty schema", 0, [1], [1]), slow],
      newStack: { upMs: [1], dataHealthyMs: [1] },
    });
    assert.match(text, /Target, clone median under 50 ms: empty schema met, 200 tables × 1,000 rows \*\*missed\*\*\./);
  });
});
