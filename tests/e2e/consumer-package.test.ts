// berth as another team installs it: `npm pack`, the tarball installed into a copy of
// examples/consumer in a temporary directory, the team's program compiled under strict
// TypeScript (berth's published types checked too, with no types package added), and the example's
// own tests run there — its graph under mocks with berth/testing, the traps that must fail loudly
// (a label berth derives, a service the stack does not have, a stack of which nothing is found),
// then up and down on the real engine in engine mode. Also: a team on a newer @pulumi/pulumi 3.x
// ends up with one copy of the SDK (berth takes it as a peer).
import { existsSync } from "node:fs";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../lab/berth-program";
import { dataImageUnavailable, ensureDataImage, ensureWorkloadImage } from "../../lab/images/e2e-images";
import { nodeBaseImageUnavailable } from "../../lab/images/node-base-image";
import { requireEngine, requireOfflineImages } from "../support/required-service";

const run = promisify(execFile);
const EXAMPLE = join(REPO_ROOT, "examples", "consumer");
/** A newer SDK than berth's own pin, the way a team upgrades. */
const NEWER_PULUMI = "3.265.0";

async function sh(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(cmd, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${e.stdout ?? ""}${e.stderr ?? ""}`, { cause: err });
  }
}

/** A copy of the example that depends on the packed tarball instead of the checkout. */
function appFrom(tarball: string, dir: string, change: (pkg: Record<string, any>) => void = () => undefined): string {
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes("node_modules") });
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  pkg.dependencies.berth = `file:${tarball}`;
  change(pkg);
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  return dir;
}

/** Every version of `name` in an install tree (`npm ls --all --json`). */
function versionsOf(tree: any, name: string, found = new Set<string>()): Set<string> {
  for (const [dep, node] of Object.entries<any>(tree.dependencies ?? {})) {
    if (dep === name && node.version) found.add(node.version);
    versionsOf(node, name, found);
  }
  return found;
}

describe("berth as a package: the consumer example from the packed tarball", function () {
  this.timeout(15 * 60_000);
  const work = mkdtempSync(join(tmpdir(), "berth-consumer-"));
  let tarball = "";
  let app = "";
  let images = "";

  before(async function () {
    await requireEngine(this);
    await requireOfflineImages(this, "the offline image build", dataImageUnavailable, nodeBaseImageUnavailable);
    const data = ensureDataImage(() => undefined).tag;
    images = JSON.stringify({
      app: ensureWorkloadImage(() => undefined).tag,
      postgres: data,
      redis: data,
      user: "999:999",
    });
    const packed = await sh("npm", ["pack", "--pack-destination", work, "--json"], REPO_ROOT);
    tarball = join(work, JSON.parse(packed.stdout)[0].filename);
    app = appFrom(tarball, join(work, "app"));
    await sh("npm", ["install", "--no-audit", "--no-fund"], app);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("ships the components, the gate CLI and the tools, the policy pack, berth/testing and the Postgres template's scripts, not berth's own program", async function () {
    const { stdout } = await sh("tar", ["-tzf", tarball], work);
    const files = stdout.split("\n").filter(Boolean);
    for (const f of [
      "package/dist/components/index.js",
      "package/dist/api/berth.d.ts",
      "package/dist/api/berth-testing.d.ts",
      "package/dist/api/berth-testing-client.d.ts",
      "package/dist/gate/cli.js",
      "package/dist/tools/build-template.js",
      "package/dist/tools/pick-subnet.js",
      "package/dist/tools/set-service-pids.js",
      "package/dist/policy/PulumiPolicy.yaml",
      "package/dist/policy/index.js",
      "package/dist/testing/index.js",
      "package/services/Dockerfile",
      "package/services/bundle.js",
      "package/services/code-cache.js",
      "package/services/launcher.js",
      "package/components/postgres/template/berth-postgres-start.sh",
      "package/components/postgres/template/berth-postgres-template.sh",
    ]) {
      assert.ok(files.includes(f), `${f} is not in the package`);
    }
    assert.deepEqual(
      files.filter((f) => /^package\/(index\.ts|Pulumi\.|tests\/|lab\/|bench\/|scripts\/|plan\/)/.test(f)),
      [],
    );
  });

  it("compiles the team's program and tests under strict TypeScript against the installed types, berth's own checked too, with no types package added", async function () {
    // Only berth, its dependencies and the team's own (node, mocha) types: no @types/dockerode.
    assert.deepEqual(
      ["dockerode", "pg"].filter((p) => existsSync(join(app, "node_modules", "@types", p))),
      [],
    );
    // skipLibCheck off: every declaration berth publishes must resolve and check.
    const config = JSON.parse(readFileSync(join(app, "tsconfig.json"), "utf8"));
    writeFileSync(
      join(app, "tsconfig.strict.json"),
      JSON.stringify({ ...config, compilerOptions: { ...config.compilerOptions, skipLibCheck: false } }),
    );
    const { stdout, stderr } = await sh("npx", ["tsc", "-p", "tsconfig.strict.json"], app);
    assert.equal(stdout + stderr, "");
    for (const entry of ["berth.d.ts", "berth-testing.d.ts", "berth-testing-client.d.ts"]) {
      const dts = readFileSync(join(app, "node_modules", "berth", "dist", "api", entry), "utf8");
      assert.deepEqual(dts.match(/from ['"]dockerode['"]/g), null, `${entry} imports dockerode`);
    }
  });

  it("passes the example's own tests: the graph under mocks, then up and down on the real engine", async function () {
    const { stdout } = await sh("npx", ["mocha", "--reporter", "json"], app, { ORDERS_IT_IMAGES: images });
    const report = JSON.parse(stdout) as {
      stats: { passes: number; failures: number; pending: number };
      tests: { fullTitle: string }[];
    };
    assert.deepEqual(report.stats.failures + report.stats.pending, 0);
    assert.equal(report.stats.passes, 8);
    for (const title of [
      "orders-it under mocks fails when a component is given a label berth derives from its arguments",
      "orders-it on a real engine (engine mode) comes up with every gate passing, the app reaching both databases by name, and leaves nothing",
    ]) {
      assert.ok(
        report.tests.some((t) => t.fullTitle === title),
        `no passing test "${title}"`,
      );
    }
  });

  it(`gives a team on @pulumi/pulumi ${NEWER_PULUMI} exactly one copy of the SDK`, async function () {
    const newer = appFrom(tarball, join(work, "newer"), (pkg) => (pkg.dependencies["@pulumi/pulumi"] = NEWER_PULUMI));
    await sh("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts"], newer);
    const { stdout } = await sh("npm", ["ls", "@pulumi/pulumi", "--all", "--json"], newer);
    assert.deepEqual([...versionsOf(JSON.parse(stdout), "@pulumi/pulumi")], [NEWER_PULUMI]);
  });
});
