// Stack outputs for test code: the record engine mode writes (a private file in a private
// directory) and the Automation API path (through a seam: no Pulumi CLI works here).
import assert from "node:assert/strict";
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OutputMap } from "@pulumi/pulumi/automation";
import {
  readRecordedOutputs,
  recordPath,
  removeRecordedOutputs,
  writeRecordedOutputs,
} from "../../testing/client/recorded-outputs";
import { AutomationReader, projectSource, readStackOutputs } from "../../testing/client/stack-outputs";
import { requireRoot } from "../support/required-service";

const OUTPUTS = { hostUrls: { postgres: "postgres://berth:s3cret@127.0.0.1:32801/berth" }, networkName: "berth-s-net" };

describe("client: recorded stack outputs", () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "berth-client-unit-"));
    dir = join(root, "outputs");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("writes a 0600 file in a 0700 directory, reads it back with its secret names, and removes it", () => {
    const path = writeRecordedOutputs(
      {
        project: "berth",
        stack: "e2e-1",
        writtenBy: "engine mode (pid 1)",
        outputs: OUTPUTS,
        secretOutputs: ["hostUrls"],
      },
      dir,
    );
    assert.equal(path, join(dir, "berth.e2e-1.json"));
    assert.deepEqual(
      [statSync(dir).mode & 0o777, statSync(path).mode & 0o777, readdirSync(dir)],
      [0o700, 0o600, ["berth.e2e-1.json"]],
    );
    const read = readRecordedOutputs({ project: "berth", stack: "e2e-1" }, dir)!;
    assert.deepEqual(
      { ...read, writtenAt: "-" },
      {
        version: 1,
        writtenAt: "-",
        project: "berth",
        stack: "e2e-1",
        writtenBy: "engine mode (pid 1)",
        outputs: OUTPUTS,
        secretOutputs: ["hostUrls"],
      },
    );
    removeRecordedOutputs({ project: "berth", stack: "e2e-1" }, dir);
    assert.deepEqual(
      [readRecordedOutputs({ project: "berth", stack: "e2e-1" }, dir), readdirSync(dir)],
      [undefined, []],
    );
  });

  it("keeps a stack name with a slash inside the directory", () => {
    assert.equal(recordPath({ project: "orders", stack: "acme/test" }, dir), join(dir, "orders.acme%2Ftest.json"));
  });

  it("fails when the directory is readable by others, saying what to do", () => {
    writeRecordedOutputs({ project: "berth", stack: "s", writtenBy: "t", outputs: {}, secretOutputs: [] }, dir);
    chmodSync(dir, 0o755);
    assert.throws(
      () => writeRecordedOutputs({ project: "berth", stack: "s", writtenBy: "t", outputs: {}, secretOutputs: [] }, dir),
      {
        message: `refusing to keep stack outputs (secrets) in ${dir}: its mode is 0755; group and others must have no access. Remove it, or set BERTH_OUTPUTS_DIR to a directory only you can read`,
      },
    );
  });

  it("fails to read a record that belongs to another user (it could point tests at another server)", async function () {
    await requireRoot(this, "to chown a file to another user");
    const path = writeRecordedOutputs(
      { project: "berth", stack: "s", writtenBy: "t", outputs: {}, secretOutputs: [] },
      dir,
    );
    chownSync(path, 12345, 12345);
    assert.throws(() => readRecordedOutputs({ project: "berth", stack: "s" }, dir), {
      message: `refusing to read stack outputs (secrets) from ${path}: it belongs to uid 12345, not to this user (uid 0). Remove the file and bring the stack up again`,
    });
  });

  it("reads recorded outputs first, without asking for a Pulumi CLI", async () => {
    writeRecordedOutputs(
      { project: "berth", stack: "s", writtenBy: "t", outputs: OUTPUTS, secretOutputs: ["hostUrls"] },
      dir,
    );
    const read = await readStackOutputs({
      stack: "s",
      outputsDir: dir,
      pulumiCli: () => assert.fail("the CLI was probed"),
    });
    assert.deepEqual(read, {
      outputs: OUTPUTS,
      secretOutputs: ["hostUrls"],
      source: "recorded",
      where: join(dir, "berth.s.json"),
    });
    assert.equal(readFileSync(read.where, "utf8").includes("s3cret"), true);
  });

  it("reads through the Automation API in the program's directory, secrets unmasked and named, with the test stack's empty passphrase", async () => {
    const calls: Parameters<AutomationReader>[0][] = [];
    const automation: AutomationReader = async (args) => {
      calls.push(args);
      return {
        hostUrls: { value: OUTPUTS.hostUrls, secret: true },
        networkName: { value: "berth-s-net", secret: false },
      } as OutputMap;
    };
    const read = await readStackOutputs({
      stack: "test",
      outputsDir: dir,
      programDir: "/work/app",
      env: { PATH: "/bin" },
      automation,
      pulumiCli: () => ({ works: true, why: "pulumi v3" }),
    });
    assert.deepEqual(read, { outputs: OUTPUTS, secretOutputs: ["hostUrls"], source: "automation", where: "/work/app" });
    assert.deepEqual(calls, [
      { stackName: "test", workDir: "/work/app", envVars: { PATH: "/bin", PULUMI_CONFIG_PASSPHRASE: "" } },
    ]);
  });

  it("fails when nothing is recorded and no program directory is given", async () => {
    await assert.rejects(readStackOutputs({ project: "orders", stack: "test", outputsDir: dir }), {
      message: `no outputs of stack orders/test: nothing recorded at ${join(dir, "orders.test.json")} (engine mode records there while its stack is up); to read a stack made by \`pulumi up\`, pass programDir (the directory of its Pulumi.yaml)`,
    });
  });

  it("fails when nothing is recorded and no Pulumi CLI works", async () => {
    await assert.rejects(
      readStackOutputs({
        stack: "test",
        outputsDir: dir,
        programDir: "/p",
        pulumiCli: () => ({ works: false, why: "`pulumi version` exited 1: fetch failed" }),
      }),
      {
        message: `no outputs of stack berth/test (project "berth" by default: there is no /p/Pulumi.yaml; pass project): nothing recorded at ${join(dir, "berth.test.json")} (engine mode records there while its stack is up), and the Automation API needs a Pulumi CLI, which does not work here (\`pulumi version\` exited 1: fetch failed): install the CLI, or bring the stack up in engine mode`,
      },
    );
  });

  it("takes the project from the program directory's Pulumi.yaml, else the working directory's, and says so when nothing is recorded", async () => {
    const program = join(root, "orders");
    mkdirSync(program);
    writeFileSync(join(program, "Pulumi.yaml"), "name: orders-it\nruntime: nodejs\n");
    assert.deepEqual(projectSource({ programDir: program }, "/nowhere"), {
      project: "orders-it",
      note: ` (project from ${join(program, "Pulumi.yaml")})`,
    });
    assert.deepEqual(projectSource({}, program), {
      project: "orders-it",
      note: ` (project from ${join(program, "Pulumi.yaml")})`,
    });
    assert.deepEqual(projectSource({ project: "given", programDir: program }), { project: "given", note: "" });
    assert.deepEqual(projectSource({}, root), {
      project: "berth",
      note: ` (project "berth" by default: there is no ${join(root, "Pulumi.yaml")}; pass project)`,
    });
    writeRecordedOutputs(
      { project: "orders-it", stack: "test", writtenBy: "t", outputs: OUTPUTS, secretOutputs: [] },
      dir,
    );
    const read = await readStackOutputs({
      stack: "test",
      programDir: program,
      outputsDir: dir,
      pulumiCli: () => assert.fail("the CLI was probed"),
    });
    assert.deepEqual([read.source, read.where], ["recorded", join(dir, "orders-it.test.json")]);
  });

  it("fails when the Pulumi.yaml it reads the project from has no name", () => {
    writeFileSync(join(root, "Pulumi.yaml"), "runtime: nodejs\n");
    assert.throws(() => projectSource({ programDir: root }), {
      message: `${join(root, "Pulumi.yaml")} has no name: give the project's name there (name: <project>), or pass project`,
    });
  });

  it("fails with the CLI's last lines and what to check when the Automation API fails", async () => {
    const automation: AutomationReader = async () => {
      throw new Error("code: 255\n stderr: error: no stack named 'test' found");
    };
    await assert.rejects(
      readStackOutputs({
        stack: "test",
        outputsDir: dir,
        programDir: "/p",
        env: {},
        automation,
        pulumiCli: () => ({ works: true, why: "" }),
      }),
      {
        message:
          "reading the outputs of stack test through the Automation API in /p failed: code: 255  stderr: error: no stack named 'test' found. " +
          "Is the stack up (`pulumi up --stack test`) and are PULUMI_BACKEND_URL / PULUMI_CONFIG_PASSPHRASE set as for `pulumi up`?",
      },
    );
  });
});
