// set-pids-limit (CIS 5.29) against a real engine: the limit lands in HostConfig.PidsLimit.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { PIDS_CLI, requireBuilt, runCli } from "../../lab/gate-runner";
import { pingEngine, TestContainers } from "../../lab/gate-containers";
import { requireService } from "../support/required-service";

const containers = new TestContainers("pids");

describe("set-pids-limit CLI (real engine)", function () {
  this.timeout(20_000);

  before(async function () {
    requireBuilt(PIDS_CLI);
    await requireService(this, "the Docker engine", pingEngine, "run `bash .ci/services.sh` to start dockerd");
  });
  afterEach(() => containers.removeAll());

  it("sets the pids limit of a running container, as docker inspect shows", async () => {
    const name = await containers.start({ script: "sleep 60" });
    const run = await runCli(PIDS_CLI, ["--container", name, "--pids-limit", "64"]);
    assert.deepEqual({ code: run.code, stdout: run.stdout, stderr: run.stderr }, { code: 0, stdout: `{"container":"${name}","pidsLimit":64}\n`, stderr: "" });
    assert.equal(execFileSync("docker", ["inspect", "--format", "{{.HostConfig.PidsLimit}}", name], { encoding: "utf8" }).trim(), "64");
  });

  it("sets the pids limit of a created, not yet started container", async () => {
    const name = await containers.start({ script: "sleep 60", createOnly: true });
    const run = await runCli(PIDS_CLI, ["--container", name, "--pids-limit", "100"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(execFileSync("docker", ["inspect", "--format", "{{.HostConfig.PidsLimit}}", name], { encoding: "utf8" }).trim(), "100");
  });

  it("fails when the container does not exist", async () => {
    const name = containers.nextName();
    const run = await runCli(PIDS_CLI, ["--container", name, "--pids-limit", "64"]);
    assert.deepEqual({ code: run.code, stdout: run.stdout, stderr: run.stderrLines }, { code: 1, stdout: "", stderr: [`berth set-pids-limit: no such container "${name}"`] });
  });

  it("fails with a clear message, no stack trace, when the Docker engine is unreachable", async () => {
    const run = await runCli(PIDS_CLI, ["--container", "anything", "--pids-limit", "64"], { DOCKER_HOST: "unix:///nonexistent.sock" });
    assert.deepEqual(
      { code: run.code, stdout: run.stdout, stderr: run.stderrLines },
      {
        code: 1,
        stdout: "",
        stderr: ["berth set-pids-limit: cannot reach the Docker engine at unix:///nonexistent.sock (no socket at that path). Start dockerd or set DOCKER_HOST."],
      },
    );
  });
});
