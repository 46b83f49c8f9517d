// The test-side client's snapshot and clone on a real Postgres (BERTH_TEST_DATABASE_URL). Every
// name carries this process's pid and run ids unique to it, so concurrent runs never meet.
import assert from "node:assert/strict";
import { Client } from "pg";
import { withDatabase } from "../../testing/client/endpoints";
import { PostgresTemplates } from "../../testing/client/postgres-templates";
import { sourceInUseMessage, templateInUseMessage } from "../../testing/client/postgres-sql";
import { requireServers, TestServers } from "../support/workload-servers";

const TAG = process.pid.toString(36);
const RUN_A = `ita${TAG}`;
const RUN_B = `itb${TAG}`;
const SOURCE = `client_it_${TAG}_src`;
const TEMPLATE = `client_it_${TAG}_tpl`;

async function withClient<T>(url: string, work: (c: Client) => Promise<T>, applicationName = "client-it"): Promise<T> {
  const c = new Client({ connectionString: url, application_name: applicationName });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

const count = (url: string, table = "items") =>
  withClient(url, async (c) => Number((await c.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n));

describe("client: Postgres snapshot and clone on a real server", function () {
  this.timeout(60_000);
  let servers: TestServers;
  let pg: PostgresTemplates;
  let other: PostgresTemplates; // another run on the same server
  const admin = (sql: string) => withClient(servers.databaseUrl, (c) => c.query(sql));

  before(async function () {
    servers = await requireServers(this);
    await admin(`DROP DATABASE IF EXISTS ${SOURCE} WITH (FORCE)`);
    await admin(`CREATE DATABASE ${SOURCE}`);
    // "Migrations": one table, three seed rows.
    await withClient(withDatabase(servers.databaseUrl, SOURCE), (c) =>
      c.query(
        "CREATE TABLE items (id serial PRIMARY KEY, owner text NOT NULL); INSERT INTO items (owner) VALUES ('seed'), ('seed'), ('seed')",
      ),
    );
    pg = await PostgresTemplates.connect(withDatabase(servers.databaseUrl, SOURCE), { env: { BERTH_RUN_ID: RUN_A } });
    other = await PostgresTemplates.connect(withDatabase(servers.databaseUrl, SOURCE), {
      env: { BERTH_RUN_ID: RUN_B },
    });
    await pg.snapshot(TEMPLATE, { replace: true });
  });

  after(async () => {
    if (!pg) return;
    await pg.reap("run");
    await other.reap("run");
    await pg.dropSnapshot(TEMPLATE);
    await Promise.all([pg.close(), other.close()]);
    await admin(`DROP DATABASE IF EXISTS ${SOURCE} WITH (FORCE)`);
  });

  it("makes the snapshot a template closed to connections, copied from the URL's database", async () => {
    const row = await withClient(
      servers.databaseUrl,
      async (c) =>
        (await c.query("SELECT datistemplate, datallowconn FROM pg_database WHERE datname = $1", [TEMPLATE])).rows[0],
    );
    assert.deepEqual(row, { datistemplate: true, datallowconn: false });
    assert.equal(pg.serverVersion >= 150_000, true, `server_version_num ${pg.serverVersion}`);
  });

  it("gives each clone its own copy of the migrated rows: writes to one are not in another", async () => {
    const [a, b] = [await pg.clone(TEMPLATE), await pg.clone(TEMPLATE)];
    assert.match(a.name, new RegExp(`^berth_clone_${RUN_A}_${TAG}_\\d+$`));
    assert.equal(a.url, withDatabase(withDatabase(servers.databaseUrl, SOURCE), a.name));
    await withClient(a.url, (c) => c.query("INSERT INTO items (owner) SELECT 'a' FROM generate_series(1, 5)"));
    assert.deepEqual(
      [await count(a.url), await count(b.url), await count(withDatabase(servers.databaseUrl, SOURCE))],
      [8, 3, 3],
    );
    await a.drop();
    await b.drop();
  });

  it("clones 12 databases at once from one template through two clients, each complete", async () => {
    const clones = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? pg : other).clone(TEMPLATE)));
    assert.equal(new Set(clones.map((c) => c.name)).size, 12);
    assert.deepEqual(await Promise.all(clones.map((c) => count(c.url))), Array(12).fill(3));
    await Promise.all(clones.map((c) => c.drop()));
  });

  it("drops a clone whose test leaked a connection, and refuses to drop what is not a clone", async () => {
    const clone = await pg.clone(TEMPLATE);
    const leaked = new Client({ connectionString: clone.url });
    leaked.on("error", () => undefined); // the drop terminates it
    await leaked.connect();
    await clone.drop();
    const left = await withClient(
      servers.databaseUrl,
      async (c) =>
        (await c.query("SELECT count(*)::int AS n FROM pg_database WHERE datname = $1", [clone.name])).rows[0].n,
    );
    assert.equal(left, 0);
    await leaked.end().catch(() => undefined);
    await assert.rejects(pg.drop(SOURCE), {
      message: `refusing to drop "${SOURCE}": not a clone (clone names start with "berth_clone_"); use dropSnapshot() for a template`,
    });
  });

  it("reaps this process's clones of one run and leaves another run's", async () => {
    const mine = [await pg.clone(TEMPLATE), await pg.clone(TEMPLATE)];
    const theirs = await other.clone(TEMPLATE);
    assert.deepEqual(await pg.reap("process"), mine.map((c) => c.name).sort());
    assert.deepEqual(await count(theirs.url), 3);
    assert.deepEqual(await other.reap("run"), [theirs.name]);
    assert.deepEqual(await pg.reap("run"), []);
  });

  it("fails when the snapshot's source has an open connection, naming the session and what to do", async () => {
    await withClient(
      withDatabase(servers.databaseUrl, SOURCE),
      async (migrating) => {
        const sessions = await pg.sessions(SOURCE);
        assert.deepEqual(
          sessions.map((s) => [s.pid, s.application_name]),
          [[(migrating as unknown as { processID: number }).processID, "still-migrating"]],
        );
        await assert.rejects(pg.snapshot(`${TEMPLATE}_2`), {
          message: sourceInUseMessage(SOURCE, `${TEMPLATE}_2`, sessions),
        });
      },
      "still-migrating",
    );
    assert.equal(
      await withClient(
        servers.databaseUrl,
        async (c) =>
          (await c.query("SELECT count(*)::int AS n FROM pg_database WHERE datname = $1", [`${TEMPLATE}_2`])).rows[0].n,
      ),
      0,
    );
  });

  it("fails at once when a session is connected to the template, naming it", async () => {
    const tpl = `${TEMPLATE}_open`;
    await pg.snapshot(tpl, { replace: true });
    await admin(`ALTER DATABASE ${tpl} WITH ALLOW_CONNECTIONS true`); // as if made or reopened by hand
    try {
      await withClient(
        withDatabase(servers.databaseUrl, tpl),
        async () => {
          const sessions = await pg.sessions(tpl);
          assert.equal(sessions.length, 1);
          await assert.rejects(pg.clone(tpl), { message: templateInUseMessage(tpl, sessions) });
        },
        "poking-the-template",
      );
    } finally {
      await pg.dropSnapshot(tpl);
    }
  });

  it("fails when the template does not exist, and when a snapshot name is taken unless replace is given", async () => {
    await assert.rejects(pg.clone(`${TEMPLATE}_none`), {
      message: `cannot clone "${TEMPLATE}_none": no database of that name. Migrate a database, then call snapshot("${TEMPLATE}_none", { from: "<that database>" }) before clone()`,
    });
    await assert.rejects(pg.snapshot(TEMPLATE), {
      message: `cannot snapshot as "${TEMPLATE}": a database of that name exists (an earlier snapshot?). Pass { replace: true } to replace it, or choose another name (e.g. one per schema version)`,
    });
  });

  it("replaces a snapshot with the source's current state", async () => {
    await withClient(withDatabase(servers.databaseUrl, SOURCE), (c) =>
      c.query("INSERT INTO items (owner) VALUES ('v2')"),
    );
    await pg.snapshot(TEMPLATE, { replace: true });
    const clone = await pg.clone(TEMPLATE);
    assert.equal(await count(clone.url), 4);
    await clone.drop();
  });
});
