// The CIS rules over `docker inspect`-shaped JSON, and the pass/fail table.
import { strict as assert } from "node:assert";
import { InspectJson, RuleResult, containerName, inspectContainer, inspectReport } from "../../policy/inspect";
import { formatResultTable } from "../../policy/report-table";

/** Trimmed `docker inspect` of `docker run --read-only --cap-drop ALL --security-opt no-new-privileges …`. */
function hardened(): InspectJson {
  return {
    Name: "/berth-test-worker-0",
    Id: "0123456789abcdef0123",
    Config: {
      User: "1000:1000",
      Labels: { "berth.service": "workers", "berth.pids-limit": "64" },
      Healthcheck: { Test: ["CMD", "true"] },
    },
    HostConfig: {
      Privileged: false,
      Memory: 67108864,
      NanoCpus: 500000000,
      CpuShares: 0,
      CpuQuota: 0,
      ReadonlyRootfs: true,
      SecurityOpt: ["no-new-privileges"],
      PidsLimit: 64,
      RestartPolicy: { Name: "on-failure", MaximumRetryCount: 3 },
      Binds: null,
      NetworkMode: "berth-test-net",
      PidMode: "",
      IpcMode: "private",
      CapAdd: null,
      CapDrop: ["ALL"],
      PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] },
    },
    Mounts: [{ Type: "tmpfs", Source: "", Destination: "/tmp" }],
  };
}

const HARDENED_RESULTS: Array<[string, string, boolean, string]> = [
  ["container-non-root-user", "4.1", true, 'user is "1000:1000"'],
  ["container-capabilities-dropped", "5.4", true, "drops ALL"],
  ["container-not-privileged", "5.5", true, "not privileged"],
  ["container-no-sensitive-host-mounts", "5.6", true, "no sensitive host directory mounted"],
  ["container-no-privileged-host-ports", "5.8", true, "no fixed host port below 1024"],
  ["container-no-host-network", "5.10", true, 'network mode is "berth-test-net"'],
  ["container-memory-limited", "5.11", true, "memory limit 64 MiB"],
  ["container-cpu-limited", "5.12", true, "cpus 0.5"],
  ["container-read-only-rootfs", "5.13", true, "root filesystem is read-only"],
  ["container-restart-bounded", "5.15", true, 'restart policy "on-failure" with at most 3 retries'],
  ["container-no-host-pid", "5.16", true, "pid mode is the default"],
  ["container-no-host-ipc", "5.17", true, 'ipc mode is "private"'],
  ["container-no-new-privileges", "5.26", true, 'security option "no-new-privileges"'],
  ["container-healthcheck", "5.27", true, "healthcheck set"],
  ["container-pids-limited", "5.29", true, "pids limit 64"],
  ["container-no-docker-socket", "5.32", true, "Docker socket not mounted"],
];

const brief = (results: RuleResult[]) =>
  results.map((r): [string, string, boolean, string] => [r.rule, r.id, r.passed, r.detail]);
const resultOf = (json: InspectJson, rule: string) => {
  const found = inspectContainer(json).find((r) => r.rule === rule);
  assert.ok(found, `no result for ${rule}`);
  return { passed: found.passed, detail: found.detail };
};
function changed(
  change: (
    j: InspectJson & { HostConfig: NonNullable<InspectJson["HostConfig"]>; Config: NonNullable<InspectJson["Config"]> },
  ) => void,
): InspectJson {
  const json = hardened() as Parameters<typeof change>[0];
  change(json);
  return json;
}

describe("inspect rules: a hardened container", function () {
  it("passes every rule, in CIS id order, with what was found", function () {
    assert.deepEqual(brief(inspectContainer(hardened())), HARDENED_RESULTS);
  });

  it("carries the rule title", function () {
    assert.deepEqual(inspectContainer(hardened())[8], {
      rule: "container-read-only-rootfs",
      id: "5.13",
      title: "root filesystem is read-only",
      passed: true,
      detail: "root filesystem is read-only",
    });
  });

  it("reports the container's name and berth.service label", function () {
    const { container, service, results } = inspectReport(hardened());
    assert.deepEqual([container, service, results.length], ["berth-test-worker-0", "workers", 16]);
  });

  it("names the container without the engine's leading slash, or by short id", function () {
    assert.equal(containerName(hardened()), "berth-test-worker-0");
    assert.equal(containerName({ Id: "0123456789abcdef0123" }), "0123456789ab");
  });
});

describe("inspect rules: each rule fails on the inspect field it reads", function () {
  const cases: Array<{ rule: string; when: string; change: Parameters<typeof changed>[0]; detail: string }> = [
    {
      rule: "container-non-root-user",
      when: "Config.User is empty",
      change: (j) => (j.Config.User = ""),
      detail: "user is not set, so the image's user (usually root) runs the process",
    },
    {
      rule: "container-non-root-user",
      when: 'Config.User is "root"',
      change: (j) => (j.Config.User = "root"),
      detail: 'user is "root", which is root',
    },
    {
      rule: "container-capabilities-dropped",
      when: "CapDrop is null and CapAdd has SYS_ADMIN",
      change: (j) => ((j.HostConfig.CapDrop = null), (j.HostConfig.CapAdd = ["CAP_SYS_ADMIN"])),
      detail:
        "drops [] instead of ALL; adds [SYS_ADMIN], not on the allow-list [CHOWN, SETGID, SETUID, NET_BIND_SERVICE]",
    },
    {
      rule: "container-not-privileged",
      when: "HostConfig.Privileged is true",
      change: (j) => (j.HostConfig.Privileged = true),
      detail: "privileged is true, which grants every capability and every host device",
    },
    {
      rule: "container-no-sensitive-host-mounts",
      when: "/ is bound (listed in Binds and Mounts) and /usr is in Binds",
      change: (j) => {
        j.HostConfig.Binds = ["/:/host:ro", "/usr/:/host-usr", "berth-data:/data"];
        j.Mounts = [{ Type: "bind", Source: "/", Destination: "/host" }];
      },
      detail: "host path / is mounted at /host; host path /usr is mounted at /host-usr",
    },
    {
      rule: "container-no-privileged-host-ports",
      when: "PortBindings map host ports 443 and 22",
      change: (j) =>
        (j.HostConfig.PortBindings = {
          "443/tcp": [{ HostIp: "", HostPort: "443" }],
          "22/tcp": [{ HostPort: "22" }],
          "8080/tcp": [{ HostPort: "18080" }],
        }),
      detail: "host ports 443, 22 below 1024",
    },
    {
      rule: "container-no-host-network",
      when: 'NetworkMode is "host"',
      change: (j) => (j.HostConfig.NetworkMode = "host"),
      detail: 'network mode is "host": the container shares the host\'s network namespace',
    },
    {
      rule: "container-memory-limited",
      when: "HostConfig.Memory is 0",
      change: (j) => (j.HostConfig.Memory = 0),
      detail: "no memory limit",
    },
    {
      rule: "container-cpu-limited",
      when: "NanoCpus, CpuQuota and CpuShares are 0",
      change: (j) => (j.HostConfig.NanoCpus = 0),
      detail: "no CPU limit or shares",
    },
    {
      rule: "container-read-only-rootfs",
      when: "ReadonlyRootfs is false",
      change: (j) => (j.HostConfig.ReadonlyRootfs = false),
      detail: "the root filesystem is writable",
    },
    {
      rule: "container-restart-bounded",
      when: 'RestartPolicy is "always"',
      change: (j) => (j.HostConfig.RestartPolicy = { Name: "always", MaximumRetryCount: 0 }),
      detail: 'restart policy "always" restarts without bound',
    },
    {
      rule: "container-no-host-pid",
      when: 'PidMode is "host"',
      change: (j) => (j.HostConfig.PidMode = "host"),
      detail: 'pid mode is "host": the container shares the host\'s process namespace',
    },
    {
      rule: "container-no-host-ipc",
      when: 'IpcMode is "host"',
      change: (j) => (j.HostConfig.IpcMode = "host"),
      detail: 'ipc mode is "host": the container shares the host\'s IPC namespace',
    },
    {
      rule: "container-no-new-privileges",
      when: "SecurityOpt is null",
      change: (j) => (j.HostConfig.SecurityOpt = null),
      detail: "securityOpts [] lack no-new-privileges",
    },
    {
      rule: "container-healthcheck",
      when: "Config.Healthcheck is absent",
      change: (j) => delete j.Config.Healthcheck,
      detail: "no healthcheck",
    },
    {
      rule: "container-pids-limited",
      when: "PidsLimit is null",
      change: (j) => (j.HostConfig.PidsLimit = null),
      detail: "HostConfig.PidsLimit is not set",
    },
    {
      rule: "container-pids-limited",
      when: "PidsLimit is -1 (unlimited)",
      change: (j) => (j.HostConfig.PidsLimit = -1),
      detail: "HostConfig.PidsLimit is -1, not a positive integer",
    },
    {
      rule: "container-no-docker-socket",
      when: "the socket is bound without the opt-in label",
      change: (j) => (j.HostConfig.Binds = ["/var/run/docker.sock:/var/run/docker.sock"]),
      detail:
        "host path /var/run/docker.sock is mounted at /var/run/docker.sock without the label berth.allow-docker-socket=true",
    },
  ];
  for (const c of cases) {
    it(`${c.rule}: fails when ${c.when}`, function () {
      assert.deepEqual(resultOf(changed(c.change), c.rule), { passed: false, detail: c.detail });
    });
  }

  it("fails only the broken rule", function () {
    const results = inspectContainer(changed((j) => (j.HostConfig.ReadonlyRootfs = false)));
    assert.deepEqual(
      results.filter((r) => !r.passed).map((r) => r.rule),
      ["container-read-only-rootfs"],
    );
  });

  it("counts an empty inspect object as the engine defaults: only the namespace, port and socket rules pass", function () {
    assert.deepEqual(
      inspectContainer({})
        .filter((r) => r.passed)
        .map((r) => r.id),
      ["5.5", "5.6", "5.8", "5.10", "5.15", "5.16", "5.17", "5.32"],
    );
  });
});

describe("inspect rules: compliant alternatives", function () {
  it("allows the socket on a container labelled berth.allow-docker-socket=true", function () {
    const json = changed((j) => {
      j.Mounts = [{ Type: "bind", Source: "/run/docker.sock", Destination: "/var/run/docker.sock" }];
      j.Config.Labels = { "berth.allow-docker-socket": "true" };
    });
    assert.deepEqual(resultOf(json, "container-no-docker-socket"), {
      passed: true,
      detail:
        "host path /run/docker.sock is mounted at /var/run/docker.sock, allowed by label berth.allow-docker-socket=true",
    });
  });
  it("accepts CpuShares as the CPU setting, and lists fixed host ports", function () {
    assert.deepEqual(
      resultOf(
        changed((j) => ((j.HostConfig.NanoCpus = 0), (j.HostConfig.CpuShares = 512))),
        "container-cpu-limited",
      ),
      { passed: true, detail: "cpu shares 512" },
    );
    assert.deepEqual(
      resultOf(
        changed((j) => (j.HostConfig.PortBindings = { "80/tcp": [{ HostPort: "18080" }] })),
        "container-no-privileged-host-ports",
      ),
      {
        passed: true,
        detail: "host ports 18080",
      },
    );
  });
  it('takes RestartPolicy "" (engine default) as "no"', function () {
    assert.deepEqual(
      resultOf(
        changed((j) => (j.HostConfig.RestartPolicy = { Name: "", MaximumRetryCount: 0 })),
        "container-restart-bounded",
      ),
      { passed: true, detail: 'restart policy "no"' },
    );
  });
  it("takes the capability allow-list as an option", function () {
    const json = changed((j) => (j.HostConfig.CapAdd = ["CAP_SYS_PTRACE"]));
    assert.deepEqual(
      inspectContainer(json, { allowedCapabilities: ["SYS_PTRACE"] }).find((r) => r.id === "5.4"),
      {
        rule: "container-capabilities-dropped",
        id: "5.4",
        title: "Linux kernel capabilities are restricted",
        passed: true,
        detail: "drops ALL, adds [SYS_PTRACE]",
      },
    );
  });
});

describe("inspect rules: pass/fail table", function () {
  const TOP =
    "┌─────────────────────┬──────┬──────┬──────┬──────┬──────┬──────┬──────┬──────┬──────┬──────┬──────┬──────┬──────┬──────┬──────┬──────┐";
  const HEAD =
    "│ container           │ 4.1  │ 5.4  │ 5.5  │ 5.6  │ 5.8  │ 5.10 │ 5.11 │ 5.12 │ 5.13 │ 5.15 │ 5.16 │ 5.17 │ 5.26 │ 5.27 │ 5.29 │ 5.32 │";
  const RULE =
    "├─────────────────────┼──────┼──────┼──────┼──────┼──────┼──────┼──────┼──────┼──────┼──────┼──────┼──────┼──────┼──────┼──────┼──────┤";
  const BOTTOM =
    "└─────────────────────┴──────┴──────┴──────┴──────┴──────┴──────┴──────┴──────┴──────┴──────┴──────┴──────┴──────┴──────┴──────┴──────┘";
  const LEGEND = [
    "4.1   user is not root",
    "5.4   Linux kernel capabilities are restricted",
    "5.5   privileged containers are not used",
    "5.6   sensitive host directories are not mounted",
    "5.8   privileged ports are not mapped",
    "5.10  the host's network namespace is not shared",
    "5.11  memory usage is limited",
    "5.12  CPU priority is set",
    "5.13  root filesystem is read-only",
    "5.15  restart policy is on-failure with at most 5 retries",
    "5.16  the host's process namespace is not shared",
    "5.17  the host's IPC namespace is not shared",
    "5.26  additional privileges cannot be acquired",
    "5.27  container health is checked at runtime",
    "5.29  the PIDs cgroup limit is used",
    "5.32  the Docker socket is not mounted",
  ];

  it("prints container × rule, the legend, the failures with their fix, and a count", function () {
    const loose = changed((j) => {
      j.Name = "/berth-test-loose";
      j.HostConfig.ReadonlyRootfs = false;
      j.HostConfig.PidsLimit = 0;
    });
    assert.equal(
      formatResultTable([inspectReport(hardened()), inspectReport(loose)]),
      [
        TOP,
        HEAD,
        RULE,
        "│ berth-test-worker-0 │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │",
        "│ berth-test-loose    │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ FAIL │ pass │ pass │ pass │ pass │ pass │ FAIL │ pass │",
        BOTTOM,
        ...LEGEND,
        "",
        "Failures:",
        "  berth-test-loose  5.13 root filesystem is read-only: the root filesystem is writable",
        "    fix: set readOnly: true and give writable paths a tmpfs, or opt this container out explicitly under berth:hardening.workers.readOnly",
        "  berth-test-loose  5.29 the PIDs cgroup limit is used: HostConfig.PidsLimit is 0, not a positive integer",
        "    fix: apply a pids limit after create (docker update --pids-limit) and label the container berth.pids-limit=<n>; berth does both from berth:hardening.workers.pidsLimit",
        "",
        "30 of 32 checks passed",
      ].join("\n"),
    );
  });

  it("has no failure section when everything passes, and '-' for a rule a report lacks", function () {
    const report = inspectReport(hardened());
    const partial = { container: "partial", results: report.results.slice(0, 1) };
    assert.equal(
      formatResultTable([report, partial]),
      [
        TOP,
        HEAD,
        RULE,
        "│ berth-test-worker-0 │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │ pass │",
        "│ partial             │ pass │ -    │ -    │ -    │ -    │ -    │ -    │ -    │ -    │ -    │ -    │ -    │ -    │ -    │ -    │ -    │",
        BOTTOM,
        ...LEGEND,
        "",
        "17 of 17 checks passed",
      ].join("\n"),
    );
  });
});
