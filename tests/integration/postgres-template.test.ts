// The Postgres template image on a real engine. What the Postgres component declares (recorded
// under mocks) is applied with engine mode's own Command and Container appliers: the template built
// (berth build-template) from the e2e data image (Debian's PostgreSQL, postgres at 999) and from an
// Alpine-shaped image derived from it (postgres at uid 70, busybox's shell and tools), then
// Postgres started from it as berth runs it. Every Docker object is named with this run's id and
// removed afterwards; built images stay (the next run finds them and does not build).
// Needs `npm run build` (the command runs dist/gate/build-template.js).
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Docker from "dockerode";
import { Client } from "pg";
import { Postgres, PostgresArgs } from "../../components/postgres/postgres";
import { PGDATA } from "../../components/postgres/spec";
import { demuxFrames } from "../../gate/container-diagnostics";
import { REPO_ROOT } from "../../lab/berth-program";
import { execIn } from "../../lab/swarm";
import { dataImageUnavailable, ensureDataImage } from "../../lab/images/e2e-images";
import { ensureBusyboxImage } from "../../lab/images/busybox-image";
import { TEMPLATE_TOOL } from "../../gate/template-args";
import { recordProgram, resourceNamed } from "../../testing/recorder";
import { APPLIERS, ApplyContext, Inputs, Recorded } from "../../testing/engine/resources";
import { patternsInAddedLayers } from "../support/image-layers";
import { requireEngine, requireOfflineImages } from "../support/required-service";

const docker = new Docker();
const RUN = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const BUILD = "command:local:Command";
const CONTAINER = "docker:index/container:Container";
const ctx: ApplyContext = { docker, cwd: REPO_ROOT, made: () => undefined, owner: { project: "berth", stack: `template-${RUN}` } };
/** Passwords with what SQL and shells quote: single and double quotes, backslash, $, spaces. */
const PASSWORD = `it's a "pw" \\ $HOME`;
const CHANGED = "changed pw; ' OR '1'='1";

interface Declared {
  /** The build-template command's inputs. */
  build: Inputs;
  /** The template image's name: the container's image. */
  image: string;
  container: Inputs;
}

/** What the Postgres component declares for `args` (only what the component makes differs per case). */
async function declare(name: string, args: Omit<PostgresArgs, "networkName">, network: string): Promise<Declared> {
  const run = await recordProgram(() => void new Postgres(name, { networkName: network, containerName: `berth-pgtpl-it-${RUN}-${name}`, ...args }), { project: "berth-pgtpl-it", stack: RUN });
  const container = resourceNamed(run, CONTAINER, name).inputs;
  return { build: resourceNamed(run, BUILD, `${name}-template`).inputs, image: container.image, container };
}

/** The docker history lines and config of an image, for the password checks. */
async function historyOf(image: string): Promise<string[]> {
  return ((await docker.getImage(image).history()) as Array<{ CreatedBy: string }>).map((h) => h.CreatedBy);
}

describe("Postgres template image on a real engine", function () {
  this.timeout(300_000);
  let network = "";
  let dataImage = "";
  let dataImageId = "";
  const started: Recorded[] = [];

  /** Builds the declared image (engine mode's command applier), then creates and starts the container. */
  async function start(d: Declared): Promise<{ id: string; url: (password: string) => string }> {
    await APPLIERS[BUILD].create(d.build, ctx);
    const made = await APPLIERS[CONTAINER].create(d.container, ctx);
    started.push({ id: made.id, inputs: d.container, state: made.state });
    const port = made.state.ports[0].external as number;
    return { id: made.id, url: (password) => `postgres://berth:${encodeURIComponent(password)}@127.0.0.1:${port}/berth` };
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
        if (code === "28P01" || code === "28000" || !state.Running || attempt >= 600) throw Object.assign(err as Error, { logs: await logsOf(id) });
      } finally {
        await client.end().catch(() => undefined);
      }
      await sleep(50);
    }
  }

  async function logsOf(id: string): Promise<string> {
    return demuxFrames(await docker.getContainer(id).logs({ stdout: true, stderr: true }));
  }

  /** What `cmd` prints (stdout and stderr) run in the container as its user. */
  async function execText(id: string, cmd: string[]): Promise<string> {
    return (await execIn(docker, id, cmd)).trim();
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
    for (const r of started.reverse()) await APPLIERS[CONTAINER].delete(r, docker).catch((err) => console.log(`      cleanup: ${err}`));
    if (network) await docker.getNetwork(network).remove().catch((err) => console.log(`      cleanup: ${err}`));
  });

  describe("from the data image's id (as Environment passes it), user 999:999", () => {
    let declared: Declared;
    let first: { id: string; url: (password: string) => string };

    before(async () => {
      declared = await declare("pg", { image: dataImageId, user: "999:999", password: PASSWORD }, network);
      first = await start(declared);
    });

    it("starts from the template: the configured credentials over the published port, durability off, no initdb at start", async () => {
      const row = await query(
        first.id,
        first.url(PASSWORD),
        "SELECT current_user AS u, current_database() AS db, rolsuper AS su, current_setting('fsync') AS f, current_setting('synchronous_commit') AS s, current_setting('full_page_writes') AS w FROM pg_roles WHERE rolname = current_user",
      );
      assert.deepEqual(row, { u: "berth", db: "berth", su: true, f: "off", s: "off", w: "off" });
      // The data image's initdb says "entrypoint: initialised …"; the fallback says "berth-postgres-start: …".
      assert.deepEqual((await logsOf(first.id)).split("\n").filter((l) => /entrypoint: initialised|berth-postgres-start:/.test(l)), []);
      assert.equal(await ownerOfData(first.id), "999:999 700\n999:999 600");
    });

    it("keeps the base image's user, environment and command; the start script is the entrypoint", async () => {
      const [image, base] = await Promise.all([docker.getImage(declared.image).inspect(), docker.getImage(dataImageId).inspect()]);
      assert.deepEqual(
        { user: image.Config.User, env: image.Config.Env, entrypoint: image.Config.Entrypoint, cmd: image.Config.Cmd },
        { user: base.Config.User, env: base.Config.Env, entrypoint: ["/bin/sh", "/usr/local/share/berth-postgres/berth-postgres-start.sh"], cmd: ["postgres"] },
      );
    });

    it("holds no password in any layer or in the history, while a started server's catalogue does", async () => {
      const dir = mkdtempSync(join(tmpdir(), "berth-pgtpl-scan-"));
      try {
        const patterns = join(dir, "patterns");
        // A stored password is a SCRAM (or md5) verifier in pg_authid; the passwords themselves.
        writeFileSync(patterns, ["SCRAM-SHA-256$", PASSWORD, CHANGED].join("\n") + "\n");
        assert.deepEqual(patternsInAddedLayers(declared.image, dataImageId, patterns, dir), []);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const history = await historyOf(declared.image);
      assert.deepEqual(history.filter((line) => /PASSWORD|SCRAM|md5/i.test(line) || line.includes(PASSWORD)), []);
      // Not vacuous: the running server's pg_authid holds the verifier the start set.
      assert.equal(await execText(first.id, ["grep", "-rlaF", "SCRAM-SHA-256$", `${PGDATA}/global`]), `${PGDATA}/global/1260`);
    });

    it("takes a changed password: the same image, the new password accepted and the old one refused", async () => {
      const changed = await declare("pg2", { image: dataImageId, user: "999:999", password: CHANGED }, network);
      // The password is not an input of the build: the same command and image, so nothing is rebuilt.
      assert.deepEqual([changed.build, changed.image], [declared.build, declared.image]);
      const second = await start(changed);
      assert.deepEqual(await query(second.id, second.url(CHANGED), "SELECT current_user AS u"), { u: "berth" });
      await assert.rejects(query(second.id, second.url(PASSWORD), "SELECT 1"), { code: "28P01" });
    });

    it("runs as a hardening.user override (65534:65534): the copied data directory is its own", async () => {
      const other = await start(await declare("pg-nobody", { image: dataImageId, user: "999:999", password: PASSWORD, hardening: { user: "65534:65534" } }, network));
      assert.deepEqual(await query(other.id, other.url(PASSWORD), "SELECT current_user AS u"), { u: "berth" });
      assert.equal(await ownerOfData(other.id), "65534:65534 700\n65534:65534 600");
    });

    it("falls back to the image's own initdb when the template does not fit, saying why, and still takes the credentials", async () => {
      const fallback = await start(await declare("pg-initdb", { image: dataImageId, user: "999:999", password: PASSWORD, env: { POSTGRES_INITDB_ARGS: "--data-checksums" } }, network));
      assert.deepEqual(await query(fallback.id, fallback.url(PASSWORD), "SELECT current_user AS u"), { u: "berth" });
      assert.deepEqual(
        (await logsOf(fallback.id)).split("\n").filter((l) => /entrypoint: initialised|berth-postgres-start:/.test(l)),
        ["berth-postgres-start: initialising as the image does: POSTGRES_INITDB_ARGS is set", `entrypoint: initialised ${PGDATA} (user berth, database berth)`],
      );
    });

    it("builds once: the same inputs again find the image and build nothing", async () => {
      const again = await APPLIERS[BUILD].create(declared.build, ctx);
      assert.deepEqual(JSON.parse(again.state.stdout), { image: declared.image, id: (await docker.getImage(declared.image).inspect()).Id, built: false });
    });
  });

  it("leaves nothing behind when it builds but the image it tags: no container, no stage image", async function () {
    // A database name of this run's own: an image no earlier run built, removed afterwards.
    const fresh = await declare("pg-fresh", { image: dataImageId, user: "999:999", password: PASSWORD, database: `fresh_${RUN}` }, network);
    const before = await engineObjects();
    try {
      const made = await APPLIERS[BUILD].create(fresh.build, ctx);
      assert.equal(JSON.parse(made.state.stdout).built, true);
      const after = await engineObjects();
      assert.deepEqual({ containers: after.containers, dangling: after.dangling }, { containers: before.containers, dangling: before.dangling });
    } finally {
      await docker.getImage(fresh.image).remove().catch((err) => console.log(`      cleanup: ${err}`));
    }
    // The tag gone, so is every layer the build made: the first stage's too.
    assert.deepEqual(await allImageIds(), before.allImages);
  });

  it("builds and starts on an Alpine-shaped image by construction: postgres at uid 70, busybox's sh and tools", async function () {
    const base = await alpineShapedImage(dataImage);
    const alpine = await start(await declare("pg-alpine", { image: base, user: "70:70", password: PASSWORD }, network));
    // The premise: the shell and the tools the scripts ran with are busybox's, postgres is 70.
    assert.equal(await execText(alpine.id, ["sh", "-c", "readlink /bin/sh; id -u postgres; which cp sed"]), "/bin/busybox\n70\n/opt/busybox/cp\n/opt/busybox/sed");
    assert.deepEqual(await query(alpine.id, alpine.url(PASSWORD), "SELECT current_user AS u, current_setting('fsync') AS f"), { u: "berth", f: "off" });
    assert.equal(await ownerOfData(alpine.id), "70:70 700\n70:70 600");
    assert.deepEqual((await logsOf(alpine.id)).split("\n").filter((l) => /entrypoint: initialised|berth-postgres-start:/.test(l)), []);
  });

  it("fails the build, naming the missing postgres user and the step, and leaves no container or image behind", async function () {
    const declared = await declare("pg-busybox", { image: ensureBusyboxImage(), password: PASSWORD }, network);
    const before = await engineObjects();
    await assert.rejects(APPLIERS[BUILD].create(declared.build, ctx), (err: Error) => {
      const lines = err.message.split("\n");
      const failed = lines.find((l) => l.startsWith(`${TEMPLATE_TOOL}: could not build `)) ?? lines.join("\n");
      // The engine's words (busybox has no /etc/passwd at all): "… can't find uid for user postgres …".
      assert.ok(failed.startsWith(`${TEMPLATE_TOOL}: could not build ${declared.image} from ${ensureBusyboxImage()}: `), failed);
      assert.match(failed, /can't find uid for user postgres|unable to find user postgres/);
      assert.match(lines.join("\n"), /Step \d+\/\d+ : COPY --chown=postgres:postgres /);
      return true;
    });
    assert.deepEqual(await engineObjects(), before);
    assert.deepEqual(await allImageIds(), before.allImages);
    await assert.rejects(docker.getImage(declared.image).inspect(), { statusCode: 404 });
  });

  /**
   * What a build must not add to: every container (running or not), the untagged images nothing
   * builds on (where a classic build's stage images would be left) and, for the checks after the
   * new tag is gone, every image and layer.
   */
  async function engineObjects(): Promise<{ containers: string[]; dangling: string[]; allImages: string[] }> {
    return {
      containers: (await docker.listContainers({ all: true })).map((c) => c.Id).sort(),
      dangling: (await docker.listImages({ filters: JSON.stringify({ dangling: ["true"] }) })).map((i) => i.Id).sort(),
      allImages: await allImageIds(),
    };
  }

  async function allImageIds(): Promise<string[]> {
    return (await docker.listImages({ all: true })).map((i) => i.Id).sort();
  }

  /**
   * The data image with the official Alpine image's layout where it differs from Debian's: the
   * postgres user at 70:70 and busybox as /bin/sh and first in PATH (cp, sed, env, id, ls, ...).
   * Tagged by what it is made from, so a second run reuses it.
   */
  async function alpineShapedImage(from: string): Promise<string> {
    const fromId = (await docker.getImage(from).inspect()).Id;
    const tag = `berth-test/postgres-alpine-shape:${fromId.slice(7, 23)}`;
    if (await docker.getImage(tag).inspect().then(() => true, () => false)) return tag;
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
      const stream = await docker.buildImage({ context: dir, src: ["Dockerfile", "busybox"] }, { t: tag, version: "1", rm: true, forcerm: true });
      const events = await new Promise<Array<{ error?: string; stream?: string }>>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null, e: Array<{ error?: string; stream?: string }>) => (err ? reject(err) : resolve(e))));
      const failed = events.find((e) => e.error);
      if (failed) throw new Error(`building ${tag} failed: ${failed.error}\n${events.map((e) => e.stream ?? "").join("")}`);
      return tag;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
