// The Postgres template on a real engine. What the Postgres component declares (recorded under
// mocks) is applied with engine mode's own Command and Container appliers: the first Postgres of a
// template starts as the image does while a helper container makes the template on the engine's
// shared volume; the next one starts from it. With the e2e data image (Debian's PostgreSQL,
// postgres at 999) and an Alpine-shaped image derived from it (postgres at uid 70, busybox's shell
// and tools). Every template is of this run's own (a database named with the run's id), and every
// Docker object is removed afterwards.
// Needs `npm run build` (the command runs dist/tools/build-template.js).
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Docker from "dockerode";
import { Client } from "pg";
import { Postgres, PostgresArgs } from "../../components/postgres/postgres";
import { PGDATA } from "../../components/postgres/spec";
import {
  START_TEMPLATE_DIR,
  TEMPLATE_LABEL,
  TEMPLATE_MOUNT,
  TEMPLATE_PREFIX,
} from "../../components/postgres/template";
import { demuxFrames } from "../../gate/container-diagnostics";
import { REPO_ROOT } from "../../lab/berth-program";
import { execIn } from "../../lab/swarm";
import { dataImageUnavailable, ensureDataImage } from "../../lab/images/e2e-images";
import { ensureBusyboxImage } from "../../lab/images/busybox-image";
import { TEMPLATE_TOOL } from "../../tools/template-args";
import { recordProgram, resourceNamed } from "../../testing/recorder";
import { APPLIERS, ApplyContext, Inputs, Recorded } from "../../testing/engine/resources";
import { requireEngine, requireOfflineImages } from "../support/required-service";

const docker = new Docker();
const RUN = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const BUILD = "command:local:Command";
const CONTAINER = "docker:index/container:Container";
const ctx: ApplyContext = {
  docker,
  cwd: REPO_ROOT,
  made: () => undefined,
  owner: { project: "berth", stack: `template-${RUN}` },
};
/** Passwords with what SQL and shells quote: single and double quotes, backslash, $, spaces. */
const PASSWORD = `it's a "pw" \\ $HOME`;
const CHANGED = "changed pw; ' OR '1'='1";
/** A database of this run's own: a template no earlier run made. */
const DATABASE = `tpl_${RUN}`;
/** The start script's and the data image's words for an initialisation at start. */
const INIT_LINES = /entrypoint: initialised|berth-postgres-start:/;

interface Declared {
  /** The build-template command's inputs. */
  build: Inputs;
  /** The template's volume and helper container. */
  template: string;
  container: Inputs;
}

/** What the Postgres component declares for `args` (only what the component makes differs per case). */
async function declare(name: string, args: Omit<PostgresArgs, "networkName">, network: string): Promise<Declared> {
  const run = await recordProgram(
    () =>
      void new Postgres(name, {
        networkName: network,
        containerName: `berth-pgtpl-it-${RUN}-${name}`,
        database: DATABASE,
        ...args,
      }),
    {
      project: "berth-pgtpl-it",
      stack: RUN,
    },
  );
  const container = resourceNamed(run, CONTAINER, name).inputs;
  const build = resourceNamed(run, BUILD, `${name}-template`).inputs;
  return { build, template: build.triggers[0], container };
}

/** The template's helper once it has ended (it runs at the lowest CPU weight: give it time). */
async function helperEnded(name: string): Promise<{ exitCode: number; logs: string }> {
  for (let i = 0; i < 1200; i++) {
    const state = (await docker.getContainer(name).inspect()).State;
    if (!state.Running)
      return {
        exitCode: state.ExitCode,
        logs: demuxFrames(await docker.getContainer(name).logs({ stdout: true, stderr: true })),
      };
    await sleep(100);
  }
  throw new Error(`the helper ${name} still runs after 120 s`);
}

async function removeTemplate(name: string): Promise<void> {
  await docker
    .getContainer(name)
    .remove({ force: true })
    .catch((err) => console.log(`      cleanup: ${err}`));
  await docker
    .getVolume(name)
    .remove()
    .catch((err) => console.log(`      cleanup: ${err}`));
}

describe("Postgres template on a real engine", function () {
  this.timeout(300_000);
  let network = "";
  let dataImage = "";
  let dataImageId = "";
  const started: Recorded[] = [];
  const templates = new Set<string>();

  /** What the template step prints (tools/build-template.ts). */
  type TemplateStep = { template: string; state: string; pruned: string[] };

  /** Runs the declared step (engine mode's command applier), then creates and starts the container. */
  async function start(d: Declared): Promise<{ id: string; step: TemplateStep; url: (password: string) => string }> {
    templates.add(d.template);
    const step = await APPLIERS[BUILD].create(d.build, ctx);
    const made = await APPLIERS[CONTAINER].create(d.container, ctx);
    started.push({ id: made.id, inputs: d.container, state: made.state });
    const port = made.state.ports[0].external as number;
    return {
      id: made.id,
      step: JSON.parse(step.state.stdout),
      url: (password) => `postgres://berth:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`,
    };
  }

  /** The first answer to `sql` once the server accepts the password; any other failure stops at once. */
  async function query(id: string, url: string, sql: string): Promise<Record<string, unknown>> {
    for (let attempt = 0; ; attempt++) {
      const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
      client.on("error", () => undefined);
      try {
        await client.connect();
        return (await client.query(sql)).rows[0];
      } catch (err) {
        const code = (err as { code?: string }).code;
        const state = (await docker.getContainer(id).inspect()).State;
        // Starting up (57P03), or not listening yet: try again; a refused login or a dead server is the answer.
        if (code === "28P01" || code === "28000" || !state.Running || attempt >= 600)
          throw Object.assign(err as Error, { logs: await logsOf(id) });
      } finally {
        await client.end().catch(() => undefined);
      }
      await sleep(50);
    }
  }

  async function logsOf(id: string): Promise<string> {
    return demuxFrames(await docker.getContainer(id).logs({ stdout: true, stderr: true }));
  }

  const initLines = async (id: string) => (await logsOf(id)).split("\n").filter((l) => INIT_LINES.test(l));

  /** What `cmd` prints (stdout and stderr) run in the container as its user. */
  async function execText(id: string, cmd: string[]): Promise<string> {
    return (await execIn(docker, id, cmd)).trim();
  }

  /**
   * The step reports `state` for `template`. What it pruned depends on the other templates this shared
   * engine holds (other suites, other checkouts), so only the prune's invariants are checked: it
   * never takes the template being made, and it only takes berth's templates.
   */
  function assertStep(step: TemplateStep, template: string, state: string) {
    assert.deepEqual({ template: step.template, state: step.state }, { template, state });
    assert.ok(!step.pruned.includes(template), `pruned the template in use: ${step.pruned}`);
    for (const name of step.pruned) assert.ok(name.startsWith(TEMPLATE_PREFIX), `pruned a stranger: ${name}`);
  }

  /** uid:gid and mode of PGDATA and of a file the start copied in. */
  const ownerOfData = (id: string) => execText(id, ["stat", "-c", "%u:%g %a", PGDATA, `${PGDATA}/PG_VERSION`]);

  before(async function () {
    this.timeout(25 * 60_000); // a cold data image (debootstrap) takes minutes
    await requireEngine(this, docker);
    await requireOfflineImages(this, "the offline data image", dataImageUnavailable);
    dataImage = ensureDataImage((line) => console.log(`      ${line}`)).tag;
    dataImageId = (await docker.getImage(dataImage).inspect()).Id;
    network = `berth-pgtpl-it-${RUN}`;
    await docker.createNetwork({ Name: network, Labels: { "berth.stack": RUN } });
  });

  after(async function () {
    for (const r of started.reverse())
      await APPLIERS[CONTAINER].delete(r, docker).catch((err) => console.log(`      cleanup: ${err}`));
    for (const t of templates) await removeTemplate(t);
    if (network)
      await docker
        .getNetwork(network)
        .remove()
        .catch((err) => console.log(`      cleanup: ${err}`));
  });

  describe("from the data image's id (as Environment passes it), user 999:999", () => {
    let declared: Declared;
    let first: Awaited<ReturnType<typeof start>>;
    let second: Awaited<ReturnType<typeof start>>;

    before(async () => {
      declared = await declare("pg", { image: dataImageId, user: "999:999", password: PASSWORD }, network);
      first = await start(declared);
    });

    it("first start: the step starts the helper and returns; Postgres initialises as the image does, with the configured credentials", async () => {
      assertStep(first.step, declared.template, "making");
      assert.deepEqual(
        await query(first.id, first.url(PASSWORD), "SELECT current_user AS u, current_database() AS db"),
        { u: "berth", db: DATABASE },
      );
      assert.deepEqual(await initLines(first.id), [
        "berth-postgres-start: initialising as the image does: no template on this engine yet (one is being made for the next start)",
        `entrypoint: initialised ${PGDATA} (user berth, database ${DATABASE})`,
      ]);
    });

    it("the helper makes the template on the volume, hardened, and stays as its marker", async () => {
      const ended = await helperEnded(declared.template);
      assert.equal(ended.exitCode, 0, ended.logs);
      const helper = await docker.getContainer(declared.template).inspect();
      assert.deepEqual(
        {
          image: helper.Image,
          user: helper.Config.User,
          labels: helper.Config.Labels,
          network: helper.HostConfig.NetworkMode,
          readOnly: helper.HostConfig.ReadonlyRootfs,
          capDrop: helper.HostConfig.CapDrop,
          securityOpt: helper.HostConfig.SecurityOpt,
          cpuShares: helper.HostConfig.CpuShares,
          binds: helper.HostConfig.Binds,
        },
        {
          image: dataImageId,
          user: "999:999",
          labels: { [TEMPLATE_LABEL]: declared.template },
          network: "none",
          readOnly: true,
          capDrop: ["ALL"],
          securityOpt: ["no-new-privileges:true"],
          cpuShares: 2,
          binds: [`${declared.template}:${TEMPLATE_MOUNT}`],
        },
      );
      assert.equal((await docker.getVolume(declared.template).inspect()).Labels?.[TEMPLATE_LABEL], declared.template);
      const again = await APPLIERS[BUILD].create(declared.build, ctx);
      assertStep(JSON.parse(again.state.stdout), declared.template, "ready");
    });

    it("next start: from the template, no initdb; the configured credentials, durability off, the data directory its own", async () => {
      second = await start(await declare("pg2", { image: dataImageId, user: "999:999", password: PASSWORD }, network));
      const row = await query(
        second.id,
        second.url(PASSWORD),
        "SELECT current_user AS u, current_database() AS db, rolsuper AS su, current_setting('fsync') AS f, current_setting('synchronous_commit') AS s, current_setting('full_page_writes') AS w FROM pg_roles WHERE rolname = current_user",
      );
      assert.deepEqual(row, { u: "berth", db: DATABASE, su: true, f: "off", s: "off", w: "off" });
      assert.deepEqual(await initLines(second.id), []);
      assert.equal(await ownerOfData(second.id), "999:999 700\n999:999 600");
    });

    it("holds no password on the volume, while a started server's catalogue does", async () => {
      // A stored password is a SCRAM (or md5) verifier in pg_authid; the passwords themselves.
      for (const needle of ["SCRAM-SHA-256$", PASSWORD, CHANGED]) {
        assert.equal(
          await execText(second.id, [
            "sh",
            "-c",
            'grep -rlaF -- "$1" "$2" || true',
            "grep",
            needle,
            START_TEMPLATE_DIR,
          ]),
          "",
          needle,
        );
      }
      // Not vacuous: the running server's pg_authid holds the verifier the start set.
      assert.equal(
        await execText(second.id, ["grep", "-rlaF", "SCRAM-SHA-256$", `${PGDATA}/global`]),
        `${PGDATA}/global/1260`,
      );
    });

    it("takes a changed password: the same template, the new password accepted and the old one refused", async () => {
      const changed = await declare("pg3", { image: dataImageId, user: "999:999", password: CHANGED }, network);
      // The password is not an input of the step: the same command and template.
      assert.deepEqual([changed.build, changed.template], [declared.build, declared.template]);
      const third = await start(changed);
      assert.deepEqual(await query(third.id, third.url(CHANGED), "SELECT current_user AS u"), { u: "berth" });
      await assert.rejects(query(third.id, third.url(PASSWORD), "SELECT 1"), { code: "28P01" });
      assert.deepEqual(await initLines(third.id), []);
    });

    it("runs as a hardening.user override (65534:65534): the copied data directory is its own", async () => {
      const other = await start(
        await declare(
          "pg-nobody",
          { image: dataImageId, user: "999:999", password: PASSWORD, hardening: { user: "65534:65534" } },
          network,
        ),
      );
      assert.deepEqual(await query(other.id, other.url(PASSWORD), "SELECT current_user AS u"), { u: "berth" });
      assert.equal(await ownerOfData(other.id), "65534:65534 700\n65534:65534 600");
      assert.deepEqual(await initLines(other.id), []);
    });

    it("falls back to the image's own initdb when the template does not fit, saying why, and still takes the credentials", async () => {
      const fallback = await start(
        await declare(
          "pg-initdb",
          {
            image: dataImageId,
            user: "999:999",
            password: PASSWORD,
            env: { POSTGRES_INITDB_ARGS: "--data-checksums" },
          },
          network,
        ),
      );
      assert.deepEqual(await query(fallback.id, fallback.url(PASSWORD), "SELECT current_user AS u"), { u: "berth" });
      assert.deepEqual(await initLines(fallback.id), [
        "berth-postgres-start: initialising as the image does: POSTGRES_INITDB_ARGS is set",
        `entrypoint: initialised ${PGDATA} (user berth, database ${DATABASE})`,
      ]);
    });
  });

  it("makes and starts from the template on an Alpine-shaped image by construction: postgres at uid 70, busybox's sh and tools", async function () {
    const base = await alpineShapedImage(dataImage);
    const declared = await declare("pg-alpine", { image: base, user: "70:70", password: PASSWORD }, network);
    const first = await start(declared);
    // The premise: the shell and the tools the scripts ran with are busybox's, postgres is 70.
    assert.equal(
      await execText(first.id, ["sh", "-c", "readlink /bin/sh; id -u postgres; which cp sed"]),
      "/bin/busybox\n70\n/opt/busybox/cp\n/opt/busybox/sed",
    );
    const ended = await helperEnded(declared.template);
    assert.equal(ended.exitCode, 0, ended.logs);
    const alpine = await start(
      await declare("pg-alpine2", { image: base, user: "70:70", password: PASSWORD }, network),
    );
    assert.deepEqual(
      await query(alpine.id, alpine.url(PASSWORD), "SELECT current_user AS u, current_setting('fsync') AS f"),
      { u: "berth", f: "off" },
    );
    assert.equal(await ownerOfData(alpine.id), "70:70 700\n70:70 600");
    assert.deepEqual(await initLines(alpine.id), []);
  });

  it("a helper that fails is reported by the next step, naming why, and the up goes on", async function () {
    const declared = await declare(
      "pg-busybox",
      { image: ensureBusyboxImage(), user: "0:0", password: PASSWORD },
      network,
    );
    templates.add(declared.template);
    assertStep(
      JSON.parse((await APPLIERS[BUILD].create(declared.build, ctx)).state.stdout),
      declared.template,
      "making",
    );
    const ended = await helperEnded(declared.template);
    assert.equal(ended.exitCode, 1);
    assert.match(
      ended.logs,
      /berth postgres template: the base image has no initdb in PATH: use an image in the official postgres image's layout/,
    );
    const again = await APPLIERS[BUILD].create(declared.build, ctx);
    assertStep(JSON.parse(again.state.stdout), declared.template, "failed");
    assert.match(
      again.state.stderr ?? "",
      new RegExp(
        `${TEMPLATE_TOOL}: the helper that made ${declared.template} from .* failed, so Postgres initialises as the image does`,
      ),
    );
  });

  /**
   * The data image with the official Alpine image's layout where it differs from Debian's: the
   * postgres user at 70:70 and busybox as /bin/sh and first in PATH (cp, sed, env, id, ls, ...).
   * Tagged by what it is made from, so a second run reuses it.
   */
  async function alpineShapedImage(from: string): Promise<string> {
    const fromId = (await docker.getImage(from).inspect()).Id;
    const tag = `berth-test/postgres-alpine-shape:${fromId.slice(7, 23)}`;
    if (
      await docker
        .getImage(tag)
        .inspect()
        .then(
          () => true,
          () => false,
        )
    )
      return tag;
    const dir = mkdtempSync(join(tmpdir(), "berth-alpine-shape-"));
    try {
      copyFileSync("/bin/busybox", join(dir, "busybox"));
      writeFileSync(
        join(dir, "Dockerfile"),
        [
          `FROM ${fromId}`,
          "USER 0:0",
          "COPY busybox /bin/busybox",
          "RUN set -e; groupmod -g 70 postgres; usermod -u 70 -g 70 postgres; chown -R 70:70 /var/lib/postgresql /var/run/postgresql; " +
            "mkdir /opt/busybox; /bin/busybox --install -s /opt/busybox; ln -sf /bin/busybox /bin/sh",
          "ENV PATH=/opt/busybox:/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "USER 70:70",
          "",
        ].join("\n"),
      );
      const stream = await docker.buildImage(
        { context: dir, src: ["Dockerfile", "busybox"] },
        { t: tag, version: "1", rm: true, forcerm: true },
      );
      const events = await new Promise<Array<{ error?: string; stream?: string }>>((resolve, reject) =>
        docker.modem.followProgress(stream, (err: Error | null, e: Array<{ error?: string; stream?: string }>) =>
          err ? reject(err) : resolve(e),
        ),
      );
      const failed = events.find((e) => e.error);
      if (failed)
        throw new Error(`building ${tag} failed: ${failed.error}\n${events.map((e) => e.stream ?? "").join("")}`);
      return tag;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
