// The fresh-database figures as a Markdown section, and the schemas they are measured on (pure:
// tests/unit/bench-fresh-database.test.ts).
import { median, percentile } from "./stats";

/** The target of issue 14: a clone's median under this, for both schemas. */
export const CLONE_TARGET_MS = 50;

export interface SchemaShape {
  label: string;
  tables: number;
  rowsPerTable: number;
}

export const SCHEMAS: SchemaShape[] = [
  { label: "empty schema", tables: 0, rowsPerTable: 0 },
  { label: "200 tables × 1,000 rows", tables: 200, rowsPerTable: 1000 },
];

/** The "migrations" of a schema: its tables and rows, in one statement. */
export function migrationSql(shape: SchemaShape): string {
  if (shape.tables === 0) return "SELECT 1";
  return (
    `DO $$ BEGIN FOR i IN 1..${shape.tables} LOOP ` +
    `EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, name text NOT NULL, amount numeric NOT NULL, created timestamptz NOT NULL DEFAULT now())', i); ` +
    `EXECUTE format('INSERT INTO t%s (id, name, amount) SELECT g, ''row '' || g, g * 1.5 FROM generate_series(1, ${shape.rowsPerTable}) g', i); ` +
    "END LOOP; END $$"
  );
}

export interface SchemaFigures extends SchemaShape {
  /** The template's size (pg_database_size). */
  sizeBytes: number;
  /** snapshot(): the migrated database copied into a template. */
  snapshotMs: number;
  /** clone(): CREATE DATABASE … TEMPLATE … under the template's lock. */
  cloneMs: number[];
  /** drop(): DROP DATABASE … WITH (FORCE) of the clone. */
  dropMs: number[];
  /** DROP SCHEMA public CASCADE; CREATE SCHEMA public; then the migrations again. */
  recreateMs: number[];
}

export interface FreshDatabaseResults {
  /** `SELECT version()` of the stack's Postgres. */
  postgres: string;
  strategy: string;
  schemas: SchemaFigures[];
  newStack: {
    /** up() called → every gate passed (a fresh process per run, as `pulumi up`). */
    upMs: number[];
    /** up() called → Postgres and Redis healthy (the data tier alone). */
    dataHealthyMs: number[];
  };
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const pair = (values: number[], f: (v: number) => string) => `${f(median(values))} / ${f(percentile(values, 95))}`;
const seconds = (v: number) => `${(v / 1000).toFixed(2)} s`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function formatFreshDatabaseSection(r: FreshDatabaseResults): string {
  const [empty, full] = r.schemas;
  const cells = (f: (s: SchemaFigures) => string) => r.schemas.map(f);
  const met = r.schemas
    .map((s) => `${s.label} ${median(s.cloneMs) < CLONE_TARGET_MS ? "met" : "**missed**"}`)
    .join(", ");
  const lines = [
    "## A fresh database per test",
    "",
    `Time until a test has its own database in the state the migrations left, on the test stack's Postgres (${r.postgres.split(" on ")[0]}, tmpfs, fsync off), ` +
      `median / p95 over ${empty.cloneMs.length} clones and ${empty.recreateMs.length} / ${full.recreateMs.length} schema rebuilds per schema; new stacks: ${r.newStack.upMs.length} runs, each in a fresh process.`,
    "",
    `| way to a fresh database | ${cells((s) => s.label).join(" | ")} |`,
    `| --- | ${cells(() => "---").join(" | ")} |`,
    `| clone of a snapshot (\`clone()\`: \`CREATE DATABASE … TEMPLATE … STRATEGY ${r.strategy}\`) | ${cells((s) => `${pair(s.cloneMs, ms)} ms`).join(" | ")} |`,
    `| drop and recreate the schema, migrations again | ${cells((s) => `${pair(s.recreateMs, ms)} ms`).join(" | ")} |`,
    `| a new stack: \`up\` until every gate passed | ${cells(() => pair(r.newStack.upMs, seconds)).join(" | ")} |`,
    `| a new stack: until Postgres and Redis are healthy | ${cells(() => pair(r.newStack.dataHealthyMs, seconds)).join(" | ")} |`,
    "",
    `Target, clone median under ${CLONE_TARGET_MS} ms: ${met}. Dropping a clone: ${cells((s) => `${pair(s.dropMs, ms)} ms (${s.label})`).join(", ")}. ` +
      `Templates: ${cells((s) => `${mb(s.sizeBytes)} (${s.label}, snapshot ${ms(s.snapshotMs)} ms)`).join(", ")}.`,
    "",
  ];
  return lines.join("\n");
}
