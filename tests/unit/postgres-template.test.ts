// The Postgres template image under Pulumi's mock runtime: the exact build step a throw-away
// Postgres declares, the container running its image, what a durable Postgres declares instead,
// and the image's name as a function of everything it is built from. Behaviour on a real engine:
// tests/integration/postgres-template.test.ts.
import { strict as assert } from "node:assert";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Postgres } from "../../components";
import { contextHash, TEMPLATE_CONTEXT_DIR, templateImageName } from "../../components/postgres/template";
import { recordProgram, resourceNamed } from "../../testing/recorder";
import { REPO_ROOT, runProgram } from "../../lab/berth-program";
import { parseTemplateArgs } from "../../gate/template-args";

const IMAGE = "docker:index/image:Image";
const COMMAND = "command:local:Command";
const build = (base: string, user = "berth", database = "berth") =>
  `node dist/gate/build-template.js --context components/postgres/template --tag ${templateImageName({ baseImage: base, user, database })} ` +
  `--base ${base} --user ${user} --database ${database}`;
const CONTAINER = "docker:index/container:Container";
const short = (urn: string) => urn.split("::").pop();
const NAME = /^berth-postgres-template:[0-9a-f]{16}$/;

describe("Postgres template image, under mocks", function () {
  this.timeout(30_000);

  it("test stack: builds the template from the Postgres image's id for the configured user and database, and runs it", async () => {
    const run = await runProgram("test");
    const step = resourceNamed(run, COMMAND, "berth-postgres-template");
    const base = "postgres:16-alpine@sha256:mock"; // the RemoteImage's imageId under mocks
    const name = templateImageName({ baseImage: base, user: "berth", database: "berth" });
    assert.match(name, NAME);
    assert.deepEqual(step.inputs, { create: build(base), environment: {}, triggers: [name], logging: "stderr" });
    assert.deepEqual(step.secretInputs, []);
    // A child of the Postgres component that waits only for its base image (not for the network).
    assert.equal(short(step.parent), "berth-postgres");
    assert.deepEqual(step.dependencies.map(short), ["berth-postgres-image"]);
    // No docker.Image: the provider's classic builds leave their step containers on the engine.
    assert.deepEqual(run.resources.filter((r) => r.type === IMAGE).map((r) => r.name), ["berth-app-image"]);
    const pg = resourceNamed(run, CONTAINER, "berth-postgres");
    assert.equal(pg.inputs.image, name);
    assert.deepEqual(pg.dependencies.map(short).sort(), ["berth-network", "berth-postgres-image", "berth-postgres-password", "berth-postgres-template"]);
    // The rest of the container is what it was: the official image's contract, berth's command.
    assert.deepEqual(pg.inputs.envs, ["POSTGRES_USER=berth", "POSTGRES_DB=berth", "POSTGRES_PASSWORD=mock-password-0123456789abcdef", "PGDATA=/var/lib/postgresql/data"]);
    assert.equal(pg.inputs.user, "70:70");
  });

  it("builds for a configured user and database (the Debian stack: its own base image)", async () => {
    const run = await runProgram("test", { "berth:useAlpine": false, "berth:postgres": { user: "app", database: "orders" } });
    const base = "postgres:16-bookworm@sha256:mock";
    assert.equal(resourceNamed(run, COMMAND, "berth-postgres-template").inputs.create, build(base, "app", "orders"));
    assert.equal(resourceNamed(run, CONTAINER, "berth-postgres").inputs.image, templateImageName({ baseImage: base, user: "app", database: "orders" }));
  });

  it("builds nothing for durable data (dev stack): the container runs the image as pulled, with the image's initdb", async () => {
    const run = await runProgram("dev");
    assert.deepEqual(run.resources.filter((r) => r.name.endsWith("-template")), []);
    assert.equal(resourceNamed(run, CONTAINER, "berth-postgres").inputs.image, "postgres:16-bookworm@sha256:mock");
  });

  it("on its own: builds from the image reference it is given, and nothing when durable", async () => {
    const run = await recordProgram(
      () => {
        new Postgres("orders-db", { networkName: "n", password: "p", database: "orders" });
        new Postgres("kept-db", { networkName: "n", password: "p", durable: true, image: "registry.local/pg:16" });
      },
      { project: "shop", stack: "ci" },
    );
    assert.deepEqual(run.resources.filter((r) => r.name.endsWith("-template")).map((r) => r.name), ["orders-db-template"]);
    assert.equal(resourceNamed(run, COMMAND, "orders-db-template").inputs.create, build("postgres:16-alpine", "berth", "orders"));
    assert.equal(resourceNamed(run, CONTAINER, "orders-db").inputs.image, templateImageName({ baseImage: "postgres:16-alpine", user: "berth", database: "orders" }));
    assert.equal(resourceNamed(run, CONTAINER, "kept-db").inputs.image, "registry.local/pg:16");
  });

  it("names the image by everything it is built from, and by nothing else", () => {
    const base = { baseImage: "sha256:aaaa", user: "berth", database: "berth" };
    const name = templateImageName(base, "ctx-1");
    assert.match(name, NAME);
    assert.equal(templateImageName({ ...base }, "ctx-1"), name, "the same inputs give the same name (built once per engine)");
    const others = [
      templateImageName({ ...base, baseImage: "sha256:bbbb" }, "ctx-1"),
      templateImageName({ ...base, user: "app" }, "ctx-1"),
      templateImageName({ ...base, database: "orders" }, "ctx-1"),
      templateImageName(base, "ctx-2"),
    ];
    assert.equal(new Set([name, ...others]).size, 5);
  });

  it("hashes the build context's file names and contents", () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-template-ctx-"));
    try {
      cpSync(TEMPLATE_CONTEXT_DIR, dir, { recursive: true });
      const before = contextHash(dir);
      assert.equal(before, contextHash(TEMPLATE_CONTEXT_DIR));
      writeFileSync(join(dir, "berth-postgres-start.sh"), `${readFileSync(join(dir, "berth-postgres-start.sh"), "utf8")}\n`);
      assert.notEqual(contextHash(dir), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("ships the build context with the package: the Dockerfile and both scripts, listed in package.json files", () => {
    assert.deepEqual(readdirSync(TEMPLATE_CONTEXT_DIR).sort(), ["Dockerfile", "berth-postgres-start.sh", "berth-postgres-template.sh"]);
    const files: string[] = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).files;
    assert.ok(files.includes(`${relative(REPO_ROOT, TEMPLATE_CONTEXT_DIR)}/`), `package.json files: ${files.join(", ")}`);
  });

  it("the build step's command line is what build-template reads", () => {
    const words = build("sha256:abc", "app", "orders").split(" ").slice(2);
    assert.deepEqual(parseTemplateArgs(words), {
      kind: "ok",
      value: { context: "components/postgres/template", tag: templateImageName({ baseImage: "sha256:abc", user: "app", database: "orders" }), base: "sha256:abc", user: "app", database: "orders" },
    });
    assert.deepEqual(parseTemplateArgs(words.slice(0, -2)), { kind: "exit", code: 2, message: "berth build-template: required option '--database <db>' not specified" });
  });
});
