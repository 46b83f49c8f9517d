// Time to a fresh database for one test, three ways, on the same machine and run: a clone of a
// snapshot (testing/client), dropping and recreating the schema, and a new stack. The clones and
// rebuilds run on one test stack held up in this process (engine mode); the new stacks are brought
// up and destroyed each in a fresh process (engine-run.ts), as the main bench does.
// Standalone: `npx ts-node -T bench/fresh-database.ts [--rounds 50] [--recreate-rounds 10] [--new-stack-runs 3]`.
import { performance } from "node:perf_hooks";
import { Command } from "commander";
import Docker from "dockerode";
import { Client } from "pg";
import { GATE_CLI, requireBuilt } from "../lab/gate-runner";
import { openStack, PostgresTemplates, withDatabase } from "../testing/client";
import { EngineMode } from "../testing/engine/engine-mode";
import { berthRequest } from "../lab/berth-program";
import { workersDefaults } from "../components/workload/settings";
import { BenchImages, engineConfig, engineRun, NO_IDLE } from "./engine-run";
import { benchImages, benchLog, count, runBench } from "./entry";

/** A new stack is the test stack as it comes: its default worker count. */
const DEFAULT_WORKERS = workersDefaults("test").replicas;
import {
  FreshDatabaseResults,
  formatFreshDatabaseSection,
  migrationSql,
  SchemaFigures,
  SchemaShape,
  SCHEMAS,
} from "./fresh-database-report";
import { waitForQuiet } from "./machine";

export { formatFreshDatabaseSection };
export type { FreshDatabaseResults };

export interface FreshDatabaseOptions {
  images: BenchImages;
  /** Unique stack names (the bench's run id in them), e.g. part → `bench-<run>-<part>`. */
  stackName: (part: string) => string;
  /** Clones per schema, and rebuilds of the empty schema. @default 50 */
  rounds?: number;
  /** Rebuilds of the 200-table schema (seconds each). @default 10 */
  recreateRounds?: number;
  /** New stacks brought up and destroyed. @default 3 */
  newStackRuns?: number;
  docker?: Docker;
  log?: (line: string) => void;
}

const WARM_UP_CLONES = 3;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function schemaFigures(
  url: string,
  shape: SchemaShape,
  rounds: number,
  recreateRounds: number,
  log: (line: string) => void,
): Promise<SchemaFigures> {
  const source = `fresh_${shape.tables}_src`;
  const template = `fresh_${shape.tables}_tpl`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  const templates = await PostgresTemplates.connect(withDatabase(url, source));
  try {
    await admin.query(`CREATE DATABASE ${source}`);
    const db = new Client({ connectionString: withDatabase(url, source) });
    await db.connect();
    await db.query(migrationSql(shape));
    await db.end(); // snapshot needs the source without sessions
    const snapshotMs = await timed(() => templates.snapshot(template));
    const sizeBytes = Number((await admin.query("SELECT pg_database_size($1) AS n", [template])).rows[0].n);

    for (let i = 0; i < WARM_UP_CLONES; i++) await (await templates.clone(template)).drop();
    const first = await templates.clone(template);
    const check = new Client({ connectionString: first.url });
    await check.connect();
    const tables = Number(
      (await check.query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0].n,
    );
    const rows =
      shape.tables === 0 ? 0 : Number((await check.query(`SELECT count(*) AS n FROM t${shape.tables}`)).rows[0].n);
    await check.end();
    await first.drop();
    if (tables !== shape.tables || rows !== shape.rowsPerTable)
      throw new Error(
        `a clone of ${template} has ${tables} tables and ${rows} rows in the last; expected ${shape.tables} and ${shape.rowsPerTable}`,
      );

    const cloneMs: number[] = [];
    const dropMs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      let clone: Awaited<ReturnType<PostgresTemplates["clone"]>> | undefined;
      cloneMs.push(await timed(async () => (clone = await templates.clone(template))));
      dropMs.push(await timed(() => clone!.drop()));
    }
    log(`${shape.label}: ${rounds} clones done`);

    // The other way back to a clean state: rebuild the schema in place, on an open connection.
    const recreateMs: number[] = [];
    const again = new Client({ connectionString: withDatabase(url, source) });
    await again.connect();
    for (let i = 0; i < (shape.tables === 0 ? rounds : recreateRounds); i++) {
      recreateMs.push(
        await timed(() => again.query(`DROP SCHEMA public CASCADE; CREATE SCHEMA public; ${migrationSql(shape)}`)),
      );
      // Untimed: the rebuild's WAL must not fill the stack's tmpfs (a clone checkpoints by itself).
      await again.query("CHECKPOINT");
    }
    await again.end();
    log(`${shape.label}: ${recreateMs.length} schema rebuilds done`);
    return { ...shape, sizeBytes, snapshotMs, cloneMs, dropMs, recreateMs };
  } finally {
    await templates.dropSnapshot(template).catch(() => undefined);
    await templates.close();
    await admin.query(`DROP DATABASE IF EXISTS ${source} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

export async function measureFreshDatabase(opts: FreshDatabaseOptions): Promise<FreshDatabaseResults> {
  const docker = opts.docker ?? new Docker();
  const log = opts.log ?? (() => undefined);
  const rounds = opts.rounds ?? 50;
  const recreateRounds = opts.recreateRounds ?? 10;

  const newStack: FreshDatabaseResults["newStack"] = { upMs: [], dataHealthyMs: [] };
  for (let i = 1; i <= (opts.newStackRuns ?? 3); i++) {
    await waitForQuiet();
    const run = await engineRun(docker, opts.stackName(`fresh-new${i}`), opts.images, DEFAULT_WORKERS, NO_IDLE);
    newStack.upMs.push(run.upMs);
    newStack.dataHealthyMs.push(run.gates.passedAtMs.data);
    log(`new stack ${i}: every gate passed after ${(run.upMs / 1000).toFixed(2)} s`);
  }

  await waitForQuiet();
  const mode = new EngineMode(docker);
  const stack = opts.stackName("fresh-held");
  try {
    await mode.up(berthRequest(stack, "test", engineConfig(opts.images)));
    const url = await (await openStack({ stack, docker })).postgresUrl();
    const version = new Client({ connectionString: url });
    await version.connect();
    const postgres = String((await version.query("SELECT version() AS v")).rows[0].v);
    await version.end();
    const schemas: SchemaFigures[] = [];
    for (const shape of SCHEMAS) schemas.push(await schemaFigures(url, shape, rounds, recreateRounds, log));
    return { postgres, strategy: "FILE_COPY", schemas, newStack };
  } finally {
    await mode.destroy(stack);
  }
}

async function main(): Promise<void> {
  const opts = new Command("fresh-database")
    .description("time to a fresh database: clone of a snapshot vs schema rebuild vs a new stack")
    .option("--rounds <n>", "clones per schema (and rebuilds of the empty one)", count(2), 50)
    .option("--recreate-rounds <n>", "rebuilds of the 200-table schema", count(2), 10)
    .option("--new-stack-runs <n>", "new stacks brought up and destroyed", count(1), 3)
    .parse()
    .opts<{ rounds: number; recreateRounds: number; newStackRuns: number }>();
  requireBuilt(GATE_CLI);
  const log = benchLog;
  const images = benchImages(log);
  const run = `${Date.now().toString(36).slice(-4)}${process.pid.toString(36)}`;
  const results = await measureFreshDatabase({ ...opts, images, stackName: (part) => `bench-${run}-${part}`, log });
  process.stdout.write(`${formatFreshDatabaseSection(results)}\n`);
  process.stderr.write(`${JSON.stringify(results)}\n`);
}

if (require.main === module) runBench(main);
