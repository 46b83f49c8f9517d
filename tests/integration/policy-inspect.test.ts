// The inspect rules against real containers: one run with berth's hardening flags, one run loose,
// both inspected through the Engine API. Needs a Docker engine (`bash .ci/services.sh` starts one);
// under CI=true a missing engine fails the suite instead of skipping it.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import Docker from "dockerode";
import { ensureBusyboxImage } from "../../lab/images/busybox-image";
import { requireEngine } from "../support/required-service";
import { RuleResult, inspectReport } from "../../policy/inspect";
import { formatResultTable } from "../../policy/report-table";

const docker = new Docker();
const RUN = `${process.pid}-${Date.now().toString(36)}`;
const HARDENED = `berth-policy-hardened-${RUN}`;
const LOOSE = `berth-policy-loose-${RUN}`;
const PRIVILEGED = `berth-policy-privileged-${RUN}`;
const LABELS = ["--label", "berth.test=policy", "--label", "berth.service=workers"];

const run = (args: string[]): string =>
  execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
const brief = (results: RuleResult[]) => results.map((r) => [r.id, r.passed, r.detail]);

describe("inspect rules: real containers", function () {
  this.timeout(120_000);
  const reports: Record<string, ReturnType<typeof inspectReport>> = {};

  before(async function () {
    await requireEngine(this, docker);
    const image = ensureBusyboxImage();
    // The flags of the issue; --tmpfs /tmp as berth gives every read-only container.
    run(
      [
        "run",
        "-d",
        "--name",
        HARDENED,
        ...LABELS,
        "--read-only",
        "--tmpfs",
        "/tmp",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
      ]
        .concat([
          "--memory",
          "64m",
          "--cpus",
          "0.5",
          "--pids-limit",
          "64",
          "--user",
          "1000:1000",
          "--restart",
          "on-failure:3",
        ])
        .concat(["--health-cmd", "true", "--health-interval", "1s", "-p", "127.0.0.1::8080", image, "sleep", "300"]),
    );
    // Everything the rules forbid that one running container can carry here (host network would
    // drop the port mapping, so that rule is left to the unit tables).
    run(
      [
        "run",
        "-d",
        "--name",
        LOOSE,
        ...LABELS,
        "--cap-add",
        "SYS_ADMIN",
        "--pid",
        "host",
        "--ipc",
        "host",
        "--user",
        "0",
        "--restart",
        "always",
      ].concat([
        "-p",
        "127.0.0.1:1023:8080",
        "-v",
        "/var/run/docker.sock:/var/run/docker.sock",
        "-v",
        "/etc:/host/etc:ro",
        image,
        "sleep",
        "300",
      ]),
    );
    // A privileged container cannot start on these machines (their capability bounding set lacks
    // CAP_SYS_RESOURCE: "unable to apply caps"), but the engine records the flag at create.
    run(["create", "--name", PRIVILEGED, ...LABELS, "--privileged", image, "sleep", "300"]);
    for (const name of [HARDENED, LOOSE, PRIVILEGED])
      reports[name] = inspectReport(await docker.getContainer(name).inspect());
  });

  after(function () {
    // Only this run's containers: a parallel run's must survive.
    for (const name of [HARDENED, LOOSE, PRIVILEGED]) {
      try {
        run(["rm", "-f", "--volumes", name]);
      } catch {
        // never created (engine missing or run failed): nothing to remove
      }
    }
  });

  it("passes every rule for the hardened container", function () {
    assert.deepEqual(brief(reports[HARDENED].results), [
      ["4.1", true, 'user is "1000:1000"'],
      ["5.4", true, "drops ALL"],
      ["5.5", true, "not privileged"],
      ["5.6", true, "no sensitive host directory mounted"],
      ["5.8", true, "no fixed host port below 1024"],
      ["5.10", true, 'network mode is "default"'],
      ["5.11", true, "memory limit 64 MiB"],
      ["5.12", true, "cpus 0.5"],
      ["5.13", true, "root filesystem is read-only"],
      ["5.15", true, 'restart policy "on-failure" with at most 3 retries'],
      ["5.16", true, "pid mode is the default"],
      ["5.17", true, 'ipc mode is "private"'],
      ["5.26", true, 'security option "no-new-privileges"'],
      ["5.27", true, "healthcheck set"],
      ["5.29", true, "pids limit 64"],
      ["5.32", true, "Docker socket not mounted"],
    ]);
  });

  it("fails the loose container on every rule it breaks, saying what the engine reports", function () {
    assert.deepEqual(brief(reports[LOOSE].results), [
      ["4.1", false, 'user is "0", which is root'],
      [
        "5.4",
        false,
        "drops [] instead of ALL; adds [SYS_ADMIN], not on the allow-list [CHOWN, SETGID, SETUID, NET_BIND_SERVICE]",
      ],
      ["5.5", true, "not privileged"],
      ["5.6", false, "host path /etc is mounted at /host/etc"],
      ["5.8", false, "host port 1023 below 1024"],
      ["5.10", true, 'network mode is "default"'],
      ["5.11", false, "no memory limit"],
      ["5.12", false, "no CPU limit or shares"],
      ["5.13", false, "the root filesystem is writable"],
      ["5.15", false, 'restart policy "always" restarts without bound'],
      ["5.16", false, 'pid mode is "host": the container shares the host\'s process namespace'],
      ["5.17", false, 'ipc mode is "host": the container shares the host\'s IPC namespace'],
      // The engine adds label=disable when a host namespace is shared.
      ["5.26", false, "securityOpts [label=disable] lack no-new-privileges"],
      ["5.27", false, "no healthcheck"],
      ["5.29", false, "HostConfig.PidsLimit is not set"],
      [
        "5.32",
        false,
        "host path /var/run/docker.sock is mounted at /var/run/docker.sock without the label berth.allow-docker-socket=true",
      ],
    ]);
  });

  it("fails a privileged container (created, not started) on 5.5", function () {
    assert.deepEqual(
      reports[PRIVILEGED].results.find((r) => r.id === "5.5"),
      {
        rule: "container-not-privileged",
        id: "5.5",
        title: "privileged containers are not used",
        passed: false,
        detail: "privileged is true, which grants every capability and every host device",
      },
    );
  });

  it("prints the pass/fail table for the running containers", function () {
    const table = formatResultTable([reports[HARDENED], reports[LOOSE]]);
    console.log(table.replace(/^/gm, "      "));
    assert.equal(table.split("\n").pop(), "18 of 32 checks passed");
  });
});
