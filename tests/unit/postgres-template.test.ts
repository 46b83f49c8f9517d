// The Postgres template under Pulumi's mock runtime: the exact step a throw-away Postgres declares,
// the container that mounts the template's volume and runs the start script, what a durable
// Postgres declares instead, the template's name as a function of everything it is made from, and
// build-template's pure decisions (state, pruning). Behaviour on a real engine:
// tests/integration/postgres-template.test.ts.
import { strict as assert } from "node:assert";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Postgres } from "../../components";
import {
  contextHash,
  START_SCRIPT,
  TEMPLATE_CONTEXT_DIR,
  templateName,
  templateStartCommand,
} from "../../components/postgres/template";
import { recordProgram, resourceNamed } from "../../testing/recorder";
import { REPO_ROOT, runProgram } from "../../lab/berth-program";
import { parseTemplateArgs } from "../../tools/template-args";
import { templateState, templatesToPrune } from "../../tools/template-plan";

const IMAGE = "docker:index/image:Image";
const COMMAND = "command:local:Command";
const step = (base: string, user = "berth", database = "berth", runAs = "70:70") =>
  `node dist/tools/build-template.js --context components/postgres/template --name ${templateName({ baseImage: base, user, database })} ` +
  `--base ${base} --user ${user} --database ${database} --run-as ${runAs}`;
const CONTAINER = "docker:index/container:Container";
const short = (urn: string) => urn.split("::").pop();
const NAME = /^berth-postgres-template-[0-9a-f]{16}$/;
// Read-only, at a path the image does not have: the engine copies nothing into the volume for it.
const mount = (name: string) => [
  { volumeName: name, containerPath: "/var/lib/berth-postgres-template", readOnly: true },
];

describe("Postgres template, under mocks", function () {
  this.timeout(30_000);

  it("test stack: a step for the Postgres image's id, user and database; the container mounts its volume and runs the start script", async () => {
    const run = await runProgram("test");
    const s = resourceNamed(run, COMMAND, "berth-postgres-template");
    const base = "postgres:16-alpine@sha256:mock"; // the RemoteImage's imageId under mocks
    const name = templateName({ baseImage: base, user: "berth", database: "berth" });
    assert.match(name, NAME);
    assert.deepEqual(s.inputs, { create: step(base), environment: {}, triggers: [name], logging: "stderr" });
    assert.deepEqual(s.secretInputs, []);
    // A child of the Postgres component that waits only for its base image (not for the network).
    assert.equal(short(s.parent), "berth-postgres");
    assert.deepEqual(s.dependencies.map(short), ["berth-postgres-image"]);
    // No docker.Image and no build: the helper container makes the template on the engine.
    assert.deepEqual(
      run.resources.filter((r) => r.type === IMAGE).map((r) => r.name),
      ["berth-app-image"],
    );
    const pg = resourceNamed(run, CONTAINER, "berth-postgres");
    assert.equal(pg.inputs.image, base);
    assert.deepEqual(pg.inputs.volumes, mount(name));
    assert.deepEqual(pg.inputs.command.slice(0, 2), ["sh", "-c"]);
    assert.equal(pg.inputs.command[2], readFileSync(join(TEMPLATE_CONTEXT_DIR, START_SCRIPT), "utf8"));
    assert.deepEqual(pg.inputs.command.slice(3, 6), [
      "berth-postgres-start",
      "/var/lib/berth-postgres-template/berth-template",
      "postgres",
    ]);
    // The container does not wait for the step: a template being made never delays it.
    assert.deepEqual(pg.dependencies.map(short).sort(), [
      "berth-network",
      "berth-postgres-image",
      "berth-postgres-password",
    ]);
    assert.deepEqual(pg.inputs.envs, [
      "POSTGRES_USER=berth",
      "POSTGRES_DB=berth",
      "POSTGRES_PASSWORD=mock-password-0123456789abcdef",
      "PGDATA=/var/lib/postgresql/data",
    ]);
    assert.equal(pg.inputs.user, "70:70");
  });

  it("for a configured user and database (the Debian stack: its own base image and postgres uid)", async () => {
    const run = await runProgram("test", {
      "berth:useAlpine": false,
      "berth:postgres": { user: "app", database: "orders" },
    });
    const base = "postgres:16-bookworm@sha256:mock";
    assert.equal(
      resourceNamed(run, COMMAND, "berth-postgres-template").inputs.create,
      step(base, "app", "orders", "999:999"),
    );
    assert.deepEqual(
      resourceNamed(run, CONTAINER, "berth-postgres").inputs.volumes,
      mount(templateName({ baseImage: base, user: "app", database: "orders" })),
    );
  });

  it("nothing for durable data (dev stack): the container runs the image's own command and entrypoint, its data on a volume", async () => {
    const run = await runProgram("dev");
    assert.deepEqual(
      run.resources.filter((r) => r.name.endsWith("-template")),
      [],
    );
    const pg = resourceNamed(run, CONTAINER, "berth-postgres").inputs;
    assert.equal(pg.image, "postgres:16-bookworm@sha256:mock");
    assert.equal(pg.command[0], "postgres");
  });

  it("on its own: a step for the image reference it is given, and nothing when durable", async () => {
    const run = await recordProgram(
      () => {
        new Postgres("orders-db", { networkName: "n", password: "p", database: "orders" });
        new Postgres("kept-db", { networkName: "n", password: "p", durable: true, image: "registry.local/pg:16" });
      },
      { project: "shop", stack: "ci" },
    );
    assert.deepEqual(
      run.resources.filter((r) => r.name.endsWith("-template")).map((r) => r.name),
      ["orders-db-template"],
    );
    assert.equal(
      resourceNamed(run, COMMAND, "orders-db-template").inputs.create,
      step("postgres:16-alpine", "berth", "orders"),
    );
    assert.deepEqual(
      resourceNamed(run, CONTAINER, "orders-db").inputs.volumes,
      mount(templateName({ baseImage: "postgres:16-alpine", user: "berth", database: "orders" })),
    );
    assert.equal(resourceNamed(run, CONTAINER, "kept-db").inputs.image, "registry.local/pg:16");
  });

  it("names the template by everything it is made from, and by nothing else", () => {
    const base = { baseImage: "sha256:aaaa", user: "berth", database: "berth" };
    const name = templateName(base, "ctx-1");
    assert.match(name, NAME);
    assert.equal(templateName({ ...base }, "ctx-1"), name, "the same inputs give the same name (made once per engine)");
    const others = [
      templateName({ ...base, baseImage: "sha256:bbbb" }, "ctx-1"),
      templateName({ ...base, user: "app" }, "ctx-1"),
      templateName({ ...base, database: "orders" }, "ctx-1"),
      templateName(base, "ctx-2"),
    ];
    assert.equal(new Set([name, ...others]).size, 5);
  });

  it("hashes the scripts' file names and contents", () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-template-ctx-"));
    try {
      cpSync(TEMPLATE_CONTEXT_DIR, dir, { recursive: true });
      const before = contextHash(dir);
      assert.equal(before, contextHash(TEMPLATE_CONTEXT_DIR));
      writeFileSync(join(dir, START_SCRIPT), `${readFileSync(join(dir, START_SCRIPT), "utf8")}\n`);
      assert.notEqual(contextHash(dir), before);
      assert.equal(
        templateStartCommand(["postgres"], dir)[2],
        `${readFileSync(join(TEMPLATE_CONTEXT_DIR, START_SCRIPT), "utf8")}\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("ships both scripts with the package, listed in package.json files", () => {
    assert.deepEqual(readdirSync(TEMPLATE_CONTEXT_DIR).sort(), [
      "berth-postgres-start.sh",
      "berth-postgres-template.sh",
    ]);
    const files: string[] = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).files;
    assert.ok(
      files.includes(`${relative(REPO_ROOT, TEMPLATE_CONTEXT_DIR)}/`),
      `package.json files: ${files.join(", ")}`,
    );
  });

  it("the step's command line is what build-template reads; a --run-as that is not numeric is refused", () => {
    const words = step("sha256:abc", "app", "orders", "999:999").split(" ").slice(2);
    assert.deepEqual(parseTemplateArgs(words), {
      kind: "ok",
      value: {
        context: "components/postgres/template",
        name: templateName({ baseImage: "sha256:abc", user: "app", database: "orders" }),
        base: "sha256:abc",
        user: "app",
        database: "orders",
        runAs: "999:999",
      },
    });
    assert.deepEqual(parseTemplateArgs(words.slice(0, -2)), {
      kind: "exit",
      code: 2,
      message: "berth build-template: required option '--run-as <uid:gid>' not specified",
    });
    assert.deepEqual(parseTemplateArgs([...words.slice(0, -1), "postgres"]), {
      kind: "exit",
      code: 2,
      message: 'berth build-template: --run-as must be a numeric "uid:gid"; got "postgres"',
    });
  });

  it("reads the helper: none → start one, running → making, exit 0 → ready, any other exit → failed", () => {
    assert.deepEqual(
      [
        undefined,
        { running: true, exitCode: 0 },
        { running: false, exitCode: 0 },
        { running: false, exitCode: 1 },
        { running: false, exitCode: 137 },
      ].map(templateState),
      ["start", "making", "ready", "failed", "failed"],
    );
  });

  it("prunes the oldest templates beyond the kept number, never the current one or one at work", () => {
    const h = (name: string, created: number, running = false) => ({ name, created, running });
    const helpers = [h("a", 1), h("b", 2), h("c", 3, true), h("d", 4), h("e", 5), h("f", 6)];
    assert.deepEqual(templatesToPrune(helpers, "f", 4), ["b", "a"]);
    // The current one counts among the kept even when it is the oldest; c, at work, stays too.
    assert.deepEqual(templatesToPrune(helpers, "a", 4), ["b"]);
    // A current one the engine does not list (build-template prunes after it started the helper).
    assert.deepEqual(templatesToPrune(helpers, "gone", 4), ["b", "a"]);
    assert.deepEqual(templatesToPrune(helpers.slice(0, 3), "x", 4), []);
  });
});
