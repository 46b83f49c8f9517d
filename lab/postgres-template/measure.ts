// Time to the first accepted connection: the image's initdb path (today) vs the template image,
// alternating, each container started as berth's test stack starts Postgres (non-root, read-only
// root, PGDATA on tmpfs, fsync off). Then the checks the design needs: the configured user,
// database and password work, a changed password takes effect, the durability settings hold, no
// password is in the image, and a config the template was not made for still starts (initdb).
// Run: npx ts-node -T lab/postgres-template/measure.ts [--runs 10] [--base <image>]
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import Docker from "dockerode";
import { Client } from "pg";
import { PGDATA, postgresCommand, postgresTmpfs } from "../../components/postgres/spec";
import { ownedBy } from "../../components/container/hardened";
import { ensureDataImage } from "../images/e2e-images";
import { ensureTemplateImage, TEMPLATE_DIR } from "./template-image";

const docker = new Docker();
const RUN = `${process.pid}`;
let counter = 0;
const created: string[] = [];

interface Started {
  name: string;
  host: string;
  /** create() called → start() returned. */
  startedMs: number;
  /** create() called → first SELECT 1 with the credentials answered. */
  readyMs: number;
}

const MB = 1024 * 1024;

/** Postgres as components/postgres/spec.ts runs it in the test stack (ephemeral). */
async function startPostgres(image: string, owner: string, env: Record<string, string>): Promise<Started> {
  const name = `berth-pgtpl-${RUN}-${++counter}`;
  created.push(name);
  const tuning = { durable: false, sharedBuffersMb: 64, tmpfsSizeMb: 256 };
  const t0 = performance.now();
  const container = await docker.createContainer({
    name,
    Image: image,
    User: owner,
    Cmd: postgresCommand(tuning),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: { "berth.lab": "postgres-template" },
    HostConfig: {
      ReadonlyRootfs: true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges:true"],
      Memory: 512 * MB,
      MemorySwap: 512 * MB,
      NanoCpus: 1e9,
      Tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m", ...Object.fromEntries(Object.entries(postgresTmpfs(tuning)).map(([path, options]) => [path, ownedBy(options, owner)])) },
    },
  });
  await container.start();
  const startedMs = performance.now() - t0;
  const host = Object.values((await container.inspect()).NetworkSettings.Networks)[0].IPAddress;
  const url = `postgres://${env.POSTGRES_USER}:${encodeURIComponent(env.POSTGRES_PASSWORD)}@${host}:5432/${env.POSTGRES_DB}`;
  for (;;) {
    if (performance.now() - t0 > 30_000) throw new Error(`${name} (${image}) accepted no connection within 30 s:\n${await logs(name)}`);
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query("SELECT 1");
      return { name, host, startedMs, readyMs: performance.now() - t0 };
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "28P01" || code === "28000") throw new Error(`${name}: ${(err as Error).message}`);
    } finally {
      await client.end().catch(() => undefined);
    }
    await sleep(10);
  }
}

/** stdout and stderr of the container (docker logs writes each to its own). */
async function logs(name: string): Promise<string> {
  const run = spawnSync("docker", ["logs", name], { encoding: "utf8" });
  return `${run.stdout}${run.stderr}`;
}

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const remove = (name: string) => docker.getContainer(name).remove({ force: true }).catch(() => undefined);
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf("--runs") + 1] ?? 10) || 10;
  const baseRef = args.includes("--base") ? args[args.indexOf("--base") + 1] : ensureDataImage(() => undefined).tag;
  const user = "berth";
  const database = "berth";
  const built = ensureTemplateImage({ base: baseRef, user, database });
  console.log(`base ${baseRef} (postgres ${built.base.owner}, entrypoint ${built.base.entrypoint}); template ${built.tag} (${built.seconds ? `built in ${built.seconds.toFixed(1)} s` : "cached"})`);
  const env = (password: string) => ({ POSTGRES_USER: user, POSTGRES_DB: database, POSTGRES_PASSWORD: password, PGDATA });

  const times: Record<"initdb" | "template", Started[]> = { initdb: [], template: [] };
  for (let i = 0; i < runs; i++) {
    // Alternating, and swapping which goes first each round.
    const order: ("initdb" | "template")[] = i % 2 ? ["template", "initdb"] : ["initdb", "template"];
    for (const path of order) {
      const s = await startPostgres(path === "initdb" ? baseRef : built.tag, built.base.owner, env(`pw-${i}-${path}`));
      times[path].push(s);
      await remove(s.name);
    }
  }
  for (const path of ["initdb", "template"] as const) {
    const ready = times[path].map((s) => s.readyMs);
    console.log(
      `${path.padEnd(8)} create → first SELECT 1: median ${median(ready).toFixed(0)} ms (min ${Math.min(...ready).toFixed(0)}, max ${Math.max(...ready).toFixed(0)}); ` +
        `create → start returned: median ${median(times[path].map((s) => s.startedMs)).toFixed(0)} ms; n=${ready.length}`,
    );
  }
  console.log(`saved: ${(median(times.initdb.map((s) => s.readyMs)) - median(times.template.map((s) => s.readyMs))).toFixed(0)} ms (difference of the medians)`);

  // The checks.
  const secret = `s3cret-'quote"-${RUN}`;
  const a = await startPostgres(built.tag, built.base.owner, env(secret));
  const url = (password: string, host = a.host) => `postgres://${user}:${encodeURIComponent(password)}@${host}:5432/${database}`;
  assert.deepEqual(await query(url(secret), "SELECT current_user AS u, current_database() AS d, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su"), [{ u: user, d: database, su: true }]);
  assert.deepEqual(
    await query(url(secret), "SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc, current_setting('full_page_writes') AS fpw"),
    [{ fsync: "off", sc: "off", fpw: "off" }],
  );
  console.log("check: user, database, superuser, password (with quotes) and durability settings hold");
  await remove(a.name);

  const b = await startPostgres(built.tag, built.base.owner, env("a-changed-password"));
  await assert.rejects(query(url(secret, b.host), "SELECT 1"), { code: "28P01" });
  assert.deepEqual(await query(url("a-changed-password", b.host), "SELECT 1 AS one"), [{ one: 1 }]);
  console.log("check: a changed password takes effect (the old one is refused)");
  await remove(b.name);

  const verifiers = execFileSync("docker", ["run", "--rm", "--entrypoint", "sh", built.tag, "-c", `grep -rlc 'SCRAM-SHA-256\\$' ${TEMPLATE_DIR} || true`], { encoding: "utf8" }).trim();
  assert.equal(verifiers, "", `the template holds a password verifier: ${verifiers}`);
  const history = execFileSync("docker", ["history", "--no-trunc", "--format", "{{.CreatedBy}}", built.tag], { encoding: "utf8" });
  assert.ok(!/POSTGRES_PASSWORD=|PASSWORD '/.test(history), "no password in the image's history");
  console.log("check: no password verifier in the template, none in the image's history");

  const other = await startPostgres(built.tag, built.base.owner, { ...env("other-db"), POSTGRES_DB: "other" });
  assert.ok((await logs(other.name)).includes("initialising for berth and other instead"));
  console.log(`check: a database the template was not made for still starts (initdb path, ${other.readyMs.toFixed(0)} ms)`);
  await remove(other.name);
}

main()
  .catch((err) => {
    process.exitCode = 1;
    console.error(err instanceof Error ? err.stack : err);
  })
  .finally(() => Promise.all(created.map(remove)));
