// The committed offline plans (plan/Pulumi.<stack>.plan.md) must match the program: a pull request
// that changes the infrastructure shows the change as a diff of these files.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, runProgram } from "../../lab/berth-program";
import { compareSnapshot, planResourcesAt, renderPlan, snapshotPath } from "../../scripts/plan-snapshot";
import { planCommand } from "../../scripts/plan-cli";

/** The +/- lines of a unified diff, without its file headers. */
const changedLines = (diff: string) => diff.split("\n").filter((l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));

/** The command in this process, its output captured. */
async function planInProcess(...args: string[]) {
  let stdout = "";
  const status = await planCommand(args, { out: (text) => void (stdout += text) });
  return { status, stdout };
}

/** The command as `npm run plan` starts it: a process of its own, for the exit code. */
function planCli(...args: string[]) {
  const run = spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, "node_modules/ts-node/dist/bin.js"), "-T", "scripts/plan.ts", ...args],
    {
      cwd: REPO_ROOT,
      encoding: "utf8",
    },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("plan: committed snapshots", function () {
  this.timeout(60_000);
  const rendered: Record<string, string> = {};
  before(async function () {
    for (const stack of ["test", "dev"]) rendered[stack] = await renderPlan(stack);
  });

  for (const stack of ["test", "dev"]) {
    it(`plan/Pulumi.${stack}.plan.md matches the program (else run: npm run plan -- --stack ${stack})`, function () {
      const result = compareSnapshot(stack, rendered[stack]);
      assert.equal(result.diff, "", `plan/Pulumi.${stack}.plan.md is stale:\n${result.diff}`);
      assert.equal(result.status, "same");
    });
  }

  it("fails when the program changes, with a diff of exactly the changed inputs", async function () {
    const result = compareSnapshot("test", await renderPlan("test", { "berth:postgres": { memoryMb: 768 } }));
    assert.equal(result.status, "different");
    assert.deepEqual(result.diff.split("\n").slice(1, 3), [
      "--- a/plan/Pulumi.test.plan.md\tcommitted",
      "+++ b/plan/Pulumi.test.plan.md\tprogram now",
    ]);
    assert.deepEqual(changedLines(result.diff), [
      "-memory         512 MB (memory+swap 512 MB)",
      "+memory         768 MB (memory+swap 768 MB)",
    ]);
  });

  it("fails when a snapshot is missing, showing the whole plan as added", function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-plan-"));
    try {
      const result = compareSnapshot("test", rendered.test, dir);
      assert.equal(result.status, "missing");
      assert.equal(result.file, snapshotPath("test", dir));
      assert.equal(changedLines(result.diff).length, rendered.test.split("\n").length - 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is the same from any working directory and on every run", async function () {
    const cwd = process.cwd();
    process.chdir(os.tmpdir());
    try {
      assert.equal(await renderPlan("test"), rendered.test);
    } finally {
      process.chdir(cwd);
    }
    assert.ok(!rendered.test.includes(REPO_ROOT));
  });

  it("never shows a password: not the generated one, not one from secret config", async function () {
    assert.ok(!rendered.test.includes("mock-password") && !rendered.dev.includes("mock-password"));
    const password = "s3cret-Pa55word-from-config";
    const text = await renderPlan("test", { "berth:postgresPassword": password }, ["berth:postgresPassword"]);
    assert.ok(!text.includes(password) && !text.includes("s3cret"));
    assert.match(
      text,
      /^env \(secret\) {3}POSTGRES_USER=\*\*\*\n {15}POSTGRES_DB=\*\*\*\n {15}POSTGRES_PASSWORD=\*\*\*\n/m,
    );
    assert.match(text, /^hostUrls {7}\*\*\* \(secret\)$/m);
  });
});

describe("plan: command line", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-plan-cli-"));
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes the snapshot that --check then accepts", async function () {
    const write = await planInProcess("--stack", "test", "--dir", dir);
    assert.equal(write.status, 0);
    assert.equal(write.stdout, `${path.join(dir, "Pulumi.test.plan.md")}: written (25 resources)\n`);
    assert.equal(
      fs.readFileSync(path.join(dir, "Pulumi.test.plan.md"), "utf8"),
      fs.readFileSync(snapshotPath("test"), "utf8"),
    );
    const check = await planInProcess("--stack", "test", "--check", "--dir", dir);
    assert.equal(check.status, 0);
    assert.equal(check.stdout, `${path.join(dir, "Pulumi.test.plan.md")}: matches the program (25 resources)\n`);
  });

  it("--against prints what an up from that ref's resources would do, summary first", async function () {
    let asked = "";
    let out = "";
    const status = await planCommand(["--stack", "test", "--dir", dir, "--against", "origin/main"], {
      out: (text) => void (out += text),
      resourcesAt: async (ref, stack) => {
        asked = `${ref} ${stack}`;
        return (
          await runProgram(stack, {
            "berth:workers": { replicas: 3, namespaces: ["default"] },
            "berth:postgres": { memoryMb: 768 },
          })
        ).resources;
      },
    });
    assert.equal(status, 0);
    assert.equal(asked, "origin/main test");
    assert.deepEqual(out.split("\n").slice(0, 5), [
      "stack test, from origin/main to the program now: 0 to create, 2 to update, 0 to replace, 1 to delete",
      "  ~  update  docker:Container berth-postgres (changes memory, memorySwap)",
      "  ~  update  command:local:Command berth-workers-gate-wait (changes create, environment.BERTH_GATE_READY_3, environment.BERTH_GATE_RUNS_FOR)",
      "  -  delete  docker:Container berth-worker-2",
      `${path.join(dir, "Pulumi.test.plan.md")}: written (25 resources)`,
    ]);
  });

  it("reads a stack's resources at a git ref from the repository, and says what to give when the ref is unknown", async function () {
    const names = (await planResourcesAt("HEAD", "test"))
      .filter((r) => r.type === "docker:index/container:Container")
      .map((r) => r.name)
      .sort();
    assert.deepEqual(names, [
      "berth-orchestrator",
      "berth-postgres",
      "berth-redis",
      "berth-worker-0",
      "berth-worker-1",
      "berth-worker-net",
    ]);
    await assert.rejects(
      planResourcesAt("no-such-ref-xyz", "test"),
      /^Error: cannot read the project at no-such-ref-xyz: .*Give a branch, tag or commit of this repository \(e\.g\. origin\/main\)$/s,
    );
  });

  it("fails --check with exit 1, a unified diff and the command that updates the snapshot", function () {
    const stale = fs.readFileSync(snapshotPath("test"), "utf8").replace("cpus           1\n", "cpus           2\n");
    fs.writeFileSync(path.join(dir, "Pulumi.test.plan.md"), stale);
    const check = planCli("--stack", "test", "--check", "--dir", dir);
    assert.equal(check.status, 1);
    const file = path.join(dir, "Pulumi.test.plan.md");
    const all = check.stdout.trimEnd().split("\n");
    // First what an up from HEAD's program would do (nothing, unless this checkout has uncommitted changes), then the diff.
    assert.match(
      all[0],
      /^stack test, from HEAD to the program now: \d+ to create, \d+ to update, \d+ to replace, \d+ to delete$/,
    );
    const lines = all.slice(all.findIndex((l) => l.startsWith("=====")));
    assert.deepEqual(lines.slice(1, 3), [`--- a/${file}\tcommitted`, `+++ b/${file}\tprogram now`]);
    assert.deepEqual(changedLines(check.stdout), ["-cpus           2", "+cpus           1"]);
    assert.equal(
      lines[lines.length - 1],
      `${file}: out of date — the program now plans the changes above. If they are intended, run \`npm run plan -- --stack test --dir ${dir}\` and commit the file.`,
    );
  });
});
