// The test-side client's snapshot/clone SQL, names and error texts (pure).
import assert from "node:assert/strict";
import {
  checkName,
  cloneName,
  clonePrefix,
  createFromSql,
  describeSession,
  dropSql,
  markTemplateSql,
  noTemplateMessage,
  notACloneMessage,
  Session,
  sourceInUseMessage,
  templateExistsMessage,
  templateInUseMessage,
} from "../../testing/client/postgres-sql";
import { withDatabase } from "../../testing/client/endpoints";

const SESSION: Session = {
  pid: 4242,
  usename: "berth",
  application_name: "migrate",
  client_addr: "172.18.0.1/32",
  state: "idle",
  backend_start: new Date("2030-01-02T03:04:05Z"),
};

describe("client: Postgres snapshot and clone SQL", () => {
  it("accepts plain lower-case names of at most 63 characters", () => {
    for (const name of ["app", "app_v2", "_x", "a".repeat(63)]) assert.equal(checkName(name, "snapshot name"), name);
  });

  it("fails when a name needs quoting or would be truncated", () => {
    const table: [string, string][] = [
      ["App", 'snapshot name "App" is not a usable database name'],
      ["2app", 'snapshot name "2app" is not a usable database name'],
      ["app-v2", 'snapshot name "app-v2" is not a usable database name'],
      ['a"b', 'snapshot name "a"b" is not a usable database name'],
      ["a".repeat(64), `snapshot name "${"a".repeat(64)}" is not a usable database name`],
    ];
    for (const [name, start] of table) {
      assert.throws(() => checkName(name, "snapshot name"), {
        message: `${start}: use lower-case letters, digits and _, starting with a letter or _, at most 63 characters`,
      });
    }
  });

  it("names clones by prefix, run, process and counter, and reaps by scope", () => {
    assert.equal(cloneName("berth_clone", "lq3x9a1k2", "1b2", 7), "berth_clone_lq3x9a1k2_1b2_7");
    assert.deepEqual(
      (["all", "run", "process"] as const).map((scope) => clonePrefix("berth_clone", scope, "lq3x9a1k2", "1b2")),
      ["berth_clone_", "berth_clone_lq3x9a1k2_", "berth_clone_lq3x9a1k2_1b2_"],
    );
  });

  it("fails when the clone name would exceed 63 characters", () => {
    assert.throws(() => cloneName("p".repeat(55), "run", "proc", 1), {
      message:
        /^clone name \(from clonePrefix, the run id and the process\) "p{55}_run_proc_1" is not a usable database name/,
    });
  });

  it("asks for FILE_COPY from Postgres 15 and leaves the clause out before", () => {
    assert.deepEqual(
      [
        createFromSql("c1", "app_v1", 150018, "FILE_COPY"),
        createFromSql("c1", "app_v1", 160000, "WAL_LOG"),
        createFromSql("c1", "app_v1", 140011, "FILE_COPY"),
      ],
      [
        'CREATE DATABASE "c1" TEMPLATE "app_v1" STRATEGY FILE_COPY',
        'CREATE DATABASE "c1" TEMPLATE "app_v1" STRATEGY WAL_LOG',
        'CREATE DATABASE "c1" TEMPLATE "app_v1"',
      ],
    );
  });

  it("drops with FORCE from Postgres 13, and terminates sessions first before", () => {
    assert.deepEqual(dropSql("c1", 130000), ['DROP DATABASE IF EXISTS "c1" WITH (FORCE)']);
    assert.deepEqual(dropSql("c1", 120010), [
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'c1' AND pid <> pg_backend_pid()",
      'DROP DATABASE IF EXISTS "c1"',
    ]);
  });

  it("marks a template closed to connections, and opens it again to drop it", () => {
    assert.equal(
      markTemplateSql("app_v1", true),
      'ALTER DATABASE "app_v1" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false',
    );
    assert.equal(
      markTemplateSql("app_v1", false),
      'ALTER DATABASE "app_v1" WITH IS_TEMPLATE false ALLOW_CONNECTIONS true',
    );
  });

  it("replaces a URL's database, keeping credentials and parameters", () => {
    assert.equal(
      withDatabase("postgres://u:p%40ss@127.0.0.1:5432/berth?sslmode=disable", "berth_clone_r_p_1"),
      "postgres://u:p%40ss@127.0.0.1:5432/berth_clone_r_p_1?sslmode=disable",
    );
  });
});

describe("client: Postgres errors say which sessions and what to do", () => {
  it("describes a session from pg_stat_activity", () => {
    assert.equal(
      describeSession(SESSION),
      'pid 4242, user berth, application "migrate", from 172.18.0.1/32, idle (connected at 2030-01-02T03:04:05.000Z)',
    );
    assert.equal(
      describeSession({
        pid: 7,
        usename: null,
        application_name: "",
        client_addr: null,
        state: null,
        backend_start: null,
      }),
      "pid 7, user ?, no application_name, over the local socket, state unknown (connected at ?)",
    );
  });

  it("fails a snapshot whose source has sessions, listing them and how to end them", () => {
    assert.equal(
      sourceInUseMessage("app_migrated", "app_v1", [
        SESSION,
        { ...SESSION, pid: 4243, application_name: "orchestrator", state: "active" },
      ]),
      'cannot snapshot "app_migrated" as template "app_v1": 2 other sessions are connected to "app_migrated", and Postgres copies a database only while nobody else is:\n' +
        '  pid 4242, user berth, application "migrate", from 172.18.0.1/32, idle (connected at 2030-01-02T03:04:05.000Z)\n' +
        '  pid 4243, user berth, application "orchestrator", from 172.18.0.1/32, active (connected at 2030-01-02T03:04:05.000Z)\n' +
        "Close them first: end the pool or client that ran the migrations (await pool.end()). A database a running service uses (the stack's own, which its orchestrator holds open) cannot be snapshotted: migrate a database of the tests' own. " +
        "To end the sessions anyway: SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'app_migrated' AND pid <> pg_backend_pid();",
    );
  });

  it("fails a clone whose template has sessions, and says so when they left before being listed", () => {
    assert.equal(
      templateInUseMessage("app_v1", [SESSION]),
      'cannot clone template "app_v1": 1 other session is connected to "app_v1", and Postgres copies a database only while nobody else is:\n' +
        '  pid 4242, user berth, application "migrate", from 172.18.0.1/32, idle (connected at 2030-01-02T03:04:05.000Z)\n' +
        "snapshot() closes a template to connections (ALLOW_CONNECTIONS false), so nothing should connect to it; these sessions connected before that, or the template was made another way. " +
        "End them (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'app_v1' AND pid <> pg_backend_pid();) or snapshot again with { replace: true }.",
    );
    assert.match(
      templateInUseMessage("app_v1", []),
      /^cannot clone template "app_v1": sessions were connected to "app_v1" but had left by the time they were listed; retry\n/,
    );
  });

  it("names the missing template, the existing one and the database that is not a clone", () => {
    assert.equal(
      noTemplateMessage("app_v1"),
      'cannot clone "app_v1": no database of that name. Migrate a database, then call snapshot("app_v1", { from: "<that database>" }) before clone()',
    );
    assert.equal(
      templateExistsMessage("app_v1"),
      'cannot snapshot as "app_v1": a database of that name exists (an earlier snapshot?). Pass { replace: true } to replace it, or choose another name (e.g. one per schema version)',
    );
    assert.equal(
      notACloneMessage("berth", "berth_clone"),
      'refusing to drop "berth": not a clone (clone names start with "berth_clone_"); use dropSnapshot() for a template',
    );
  });
});
