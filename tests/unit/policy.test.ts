// Each CrossGuard policy against a berth-hardened docker.Container (no violation) and against one
// change that breaks exactly its rule (exactly its message). Args are shaped as @pulumi/policy
// passes them to validateResource.
import { strict as assert } from "node:assert";
import { WAIVABLE_RULES } from "../../components/contract";
import { containerPolicies } from "../../policy/crossguard";
import { violationsOf } from "../support/policy-harness";

type Props = Record<string, any>;

const POLICIES = containerPolicies();
const violations = (name: string, props: Props, opts: { type?: string; config?: object } = {}) =>
  violationsOf(POLICIES, name, props, opts);

/** What components/service.ts produces for a worker (the fields the rules read, plus some others). */
function hardened(): Props {
  return {
    image: "berth-test/busybox:local",
    name: "berth-test-worker-0",
    user: "1000:1000",
    memory: 256,
    memorySwap: 256,
    cpus: "0.5",
    readOnly: true,
    securityOpts: ["no-new-privileges:true"],
    capabilities: { drops: ["ALL"], adds: [] },
    restart: "on-failure",
    maxRetryCount: 3,
    healthcheck: { tests: ["CMD", "true"], interval: "1s", retries: 3 },
    tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
    volumes: [{ volumeName: "berth-test-data", containerPath: "/data" }],
    ports: [{ internal: 8080, external: 41000, ip: "127.0.0.1", protocol: "tcp" }],
    networksAdvanced: [{ name: "berth-test-net", aliases: ["worker"] }],
    labels: [
      { label: "berth.service", value: "workers" },
      { label: "berth.pids-limit", value: "256" },
    ],
  };
}

function withChange(change: (p: Props) => void): Props {
  const props = hardened();
  change(props);
  return props;
}

const setLabel = (p: Props, label: string, value: string) => {
  p.labels = [...p.labels.filter((l: { label: string }) => l.label !== label), { label, value }];
};

describe("policy pack: each policy passes a berth-hardened container", function () {
  for (const policy of POLICIES) {
    it(`${policy.name}: no violation`, async function () {
      assert.deepEqual(await violations(policy.name, hardened()), []);
    });
  }

  it("ignores resources that are not docker.Container", async function () {
    for (const policy of POLICIES)
      assert.deepEqual(
        await violations(policy.name, { privileged: true }, { type: "docker:index/network:Network" }),
        [],
      );
  });
});

interface Case {
  policy: string;
  when: string;
  change: (p: Props) => void;
  message: string;
}

const FIX_CAPS =
  'set capabilities: { drops: ["ALL"] } and add back only capabilities on the allow-list (policy config "allowedCapabilities"), through berth:hardening.workers.capAdd.';
const FIX_CPU = 'set cpus (e.g. "0.5"), cpuShares or cpuQuota; berth sets cpus from berth:workers.cpus.';
const FIX_RESTART =
  'set restart: "on-failure" with maxRetryCount 1 to 5 (berth:hardening.workers.maxRetryCount), or restart: "no".';
const FIX_NNP =
  'add "no-new-privileges:true" to securityOpts, or opt this container out explicitly under berth:hardening.workers.noNewPrivileges.';
const FIX_HEALTH = 'set healthcheck.tests to a real probe, e.g. ["CMD", "pg_isready"]: berth\'s health gates read it.';
const FIX_PIDS =
  "apply a pids limit after create (docker update --pids-limit) and label the container berth.pids-limit=<n>; berth does both from berth:hardening.workers.pidsLimit.";
const FIX_SOCKET =
  "remove the mount; a worker pool that must drive Docker opts in with berth:workers.dockerSocket: true, which labels its containers berth.allow-docker-socket=true.";
const FIX_USER = 'set user to a non-root numeric "uid:gid" such as "1000:1000" (berth:hardening.workers.user).';

const FAILING: Case[] = [
  {
    policy: "container-non-root-user",
    when: "user is not set",
    change: (p) => delete p.user,
    message: `CIS 4.1 (user is not root): user is not set, so the image's user (usually root) runs the process. Fix: ${FIX_USER}`,
  },
  {
    policy: "container-non-root-user",
    when: 'user is "0:1000"',
    change: (p) => (p.user = "0:1000"),
    message: `CIS 4.1 (user is not root): user is "0:1000", which is root. Fix: ${FIX_USER}`,
  },
  {
    policy: "container-capabilities-dropped",
    when: "capabilities are not dropped",
    change: (p) => delete p.capabilities,
    message: `CIS 5.4 (Linux kernel capabilities are restricted): drops [] instead of ALL. Fix: ${FIX_CAPS}`,
  },
  {
    policy: "container-capabilities-dropped",
    when: "a capability off the allow-list is added back",
    change: (p) => (p.capabilities = { drops: ["ALL"], adds: ["CHOWN", "cap_sys_admin", "NET_RAW"] }),
    message: `CIS 5.4 (Linux kernel capabilities are restricted): adds [SYS_ADMIN, NET_RAW], not on the allow-list [CHOWN, SETGID, SETUID, NET_BIND_SERVICE]. Fix: ${FIX_CAPS}`,
  },
  {
    policy: "container-not-privileged",
    when: "privileged is true",
    change: (p) => (p.privileged = true),
    message:
      "CIS 5.5 (privileged containers are not used): privileged is true, which grants every capability and every host device. Fix: remove privileged: true; add the one capability the workload needs instead (berth:hardening.workers.capAdd).",
  },
  {
    policy: "container-no-sensitive-host-mounts",
    when: "/etc is bind-mounted through volumes and /proc through mounts",
    change: (p) => {
      p.volumes.push({ hostPath: "/etc/", containerPath: "/host/etc" });
      p.mounts = [{ type: "bind", source: "/proc", target: "/host/proc" }];
    },
    message:
      "CIS 5.6 (sensitive host directories are not mounted): host path /etc is mounted at /host/etc; host path /proc is mounted at /host/proc. Fix: mount a named volume, a tmpfs or a narrower host path instead (sensitive: / /boot /dev /etc /lib /proc /sys /usr).",
  },
  {
    policy: "container-no-privileged-host-ports",
    when: "host port 80 is published",
    change: (p) => p.ports.push({ internal: 80, external: 80 }),
    message:
      "CIS 5.8 (privileged ports are not mapped): host port 80 below 1024. Fix: publish on a host port of 1024 or above, or leave ports[].external unset so the engine picks a free one.",
  },
  {
    policy: "container-no-host-network",
    when: 'networkMode is "host"',
    change: (p) => (p.networkMode = "host"),
    message:
      'CIS 5.10 (the host\'s network namespace is not shared): network mode is "host": the container shares the host\'s network namespace. Fix: remove networkMode: "host"; attach the container to the stack\'s network and publish ports instead.',
  },
  {
    policy: "container-memory-limited",
    when: "memory is not set",
    change: (p) => delete p.memory,
    message:
      "CIS 5.11 (memory usage is limited): no memory limit. Fix: set memory (MB); berth sets it from berth:workers.memoryMb.",
  },
  {
    policy: "container-cpu-limited",
    when: "neither cpus, cpuShares nor cpuQuota is set",
    change: (p) => delete p.cpus,
    message: `CIS 5.12 (CPU priority is set): no CPU limit or shares. Fix: ${FIX_CPU}`,
  },
  {
    policy: "container-cpu-limited",
    when: "cpuShares is the default weight 1024",
    change: (p) => {
      delete p.cpus;
      p.cpuShares = 1024;
    },
    message: `CIS 5.12 (CPU priority is set): cpu shares 1024 is the default weight, and no CPU limit is set. Fix: ${FIX_CPU}`,
  },
  {
    policy: "container-read-only-rootfs",
    when: "readOnly is not set",
    change: (p) => delete p.readOnly,
    message:
      "CIS 5.13 (root filesystem is read-only): the root filesystem is writable. Fix: set readOnly: true and give writable paths a tmpfs, or opt this container out explicitly under berth:hardening.workers.readOnly.",
  },
  {
    policy: "container-restart-bounded",
    when: 'restart is "unless-stopped"',
    change: (p) => (p.restart = "unless-stopped"),
    message: `CIS 5.15 (restart policy is on-failure with at most 5 retries): restart policy "unless-stopped" restarts without bound. Fix: ${FIX_RESTART}`,
  },
  {
    policy: "container-restart-bounded",
    when: 'restart is "on-failure" without maxRetryCount',
    change: (p) => delete p.maxRetryCount,
    message: `CIS 5.15 (restart policy is on-failure with at most 5 retries): restart policy "on-failure" has no retry limit. Fix: ${FIX_RESTART}`,
  },
  {
    policy: "container-restart-bounded",
    when: "maxRetryCount is 6",
    change: (p) => (p.maxRetryCount = 6),
    message: `CIS 5.15 (restart policy is on-failure with at most 5 retries): restart policy "on-failure" allows 6 retries, more than 5. Fix: ${FIX_RESTART}`,
  },
  {
    policy: "container-no-host-pid",
    when: 'pidMode is "host"',
    change: (p) => (p.pidMode = "host"),
    message:
      'CIS 5.16 (the host\'s process namespace is not shared): pid mode is "host": the container shares the host\'s process namespace. Fix: remove pidMode: "host".',
  },
  {
    policy: "container-no-host-ipc",
    when: 'ipcMode is "host"',
    change: (p) => (p.ipcMode = "host"),
    message:
      'CIS 5.17 (the host\'s IPC namespace is not shared): ipc mode is "host": the container shares the host\'s IPC namespace. Fix: remove ipcMode: "host" (use shmSize when the workload needs more shared memory).',
  },
  {
    policy: "container-no-new-privileges",
    when: "securityOpts lack no-new-privileges",
    change: (p) => (p.securityOpts = ["seccomp=default.json"]),
    message: `CIS 5.26 (additional privileges cannot be acquired): securityOpts [seccomp=default.json] lack no-new-privileges. Fix: ${FIX_NNP}`,
  },
  {
    policy: "container-no-new-privileges",
    when: 'the last setting is "no-new-privileges:false"',
    change: (p) => p.securityOpts.push("no-new-privileges:false"),
    message: `CIS 5.26 (additional privileges cannot be acquired): security option "no-new-privileges:false" allows new privileges. Fix: ${FIX_NNP}`,
  },
  {
    policy: "container-healthcheck",
    when: "there is no healthcheck",
    change: (p) => delete p.healthcheck,
    message: `CIS 5.27 (container health is checked at runtime): no healthcheck. Fix: ${FIX_HEALTH}`,
  },
  {
    policy: "container-healthcheck",
    when: 'the healthcheck is disabled with "NONE"',
    change: (p) => (p.healthcheck = { tests: ["NONE"] }),
    message: `CIS 5.27 (container health is checked at runtime): healthcheck is disabled ("NONE"). Fix: ${FIX_HEALTH}`,
  },
  {
    policy: "container-pids-limited",
    when: "the berth.pids-limit label is missing",
    change: (p) => (p.labels = p.labels.filter((l: { label: string }) => l.label !== "berth.pids-limit")),
    message: `CIS 5.29 (the PIDs cgroup limit is used): label berth.pids-limit is not set. Fix: ${FIX_PIDS}`,
  },
  {
    policy: "container-pids-limited",
    when: 'the berth.pids-limit label is "0"',
    change: (p) => setLabel(p, "berth.pids-limit", "0"),
    message: `CIS 5.29 (the PIDs cgroup limit is used): label berth.pids-limit is "0", not a positive integer. Fix: ${FIX_PIDS}`,
  },
  {
    policy: "container-no-docker-socket",
    when: "/var/run/docker.sock is mounted without the opt-in label",
    change: (p) => p.volumes.push({ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }),
    message: `CIS 5.32 (the Docker socket is not mounted): host path /var/run/docker.sock is mounted at /var/run/docker.sock without the label berth.allow-docker-socket=true. Fix: ${FIX_SOCKET}`,
  },
  {
    policy: "container-no-docker-socket",
    when: '/run is bind-mounted and the label is "yes", not "true"',
    change: (p) => {
      p.mounts = [{ type: "bind", source: "/run", target: "/host-run" }];
      setLabel(p, "berth.allow-docker-socket", "yes");
    },
    message: `CIS 5.32 (the Docker socket is not mounted): host path /run is mounted at /host-run without the label berth.allow-docker-socket=true. Fix: ${FIX_SOCKET}`,
  },
];

describe("policy pack: each policy fails a container that breaks its rule", function () {
  for (const c of FAILING) {
    it(`${c.policy}: fails when ${c.when}`, async function () {
      assert.deepEqual(await violations(c.policy, withChange(c.change)), [c.message]);
    });
  }

  it("every policy has a failing case above", function () {
    assert.deepEqual(
      POLICIES.map((p) => p.name).filter((name) => !FAILING.some((c) => c.policy === name)),
      [],
    );
  });

  it("names the config section <service> when the container has no berth.service label", async function () {
    const props = withChange((p) => {
      p.labels = [{ label: "berth.pids-limit", value: "256" }];
      delete p.readOnly;
    });
    assert.deepEqual(await violations("container-read-only-rootfs", props), [
      "CIS 5.13 (root filesystem is read-only): the root filesystem is writable. Fix: set readOnly: true and give writable paths a tmpfs, or opt this container out explicitly under berth:hardening.<service>.readOnly.",
    ]);
  });
});

describe("policy pack: the opt-out label waives only the rules berth:hardening can turn off", function () {
  it("waives exactly non-root user, read-only root and no-new-privileges", function () {
    assert.deepEqual(
      [...WAIVABLE_RULES],
      ["container-non-root-user", "container-read-only-rootfs", "container-no-new-privileges"],
    );
  });

  for (const c of FAILING) {
    const waivable = WAIVABLE_RULES.has(c.policy as never);
    it(`${c.policy}: ${waivable ? "waived" : "fails still"} when ${c.when} and berth.opt-out names it`, async function () {
      const props = withChange((p) => {
        c.change(p);
        setLabel(p, "berth.opt-out", `container-healthcheck,${c.policy}`);
      });
      assert.deepEqual(await violations(c.policy, props), waivable ? [] : [c.message]);
    });
  }
});

describe("policy pack: compliant alternatives", function () {
  const passes = async (policy: string, change: (p: Props) => void, config: object = {}) =>
    assert.deepEqual(await violations(policy, withChange(change), { config }), []);

  it('restart "no" and an unset restart pass', async function () {
    await passes("container-restart-bounded", (p) => (p.restart = "no"));
    await passes("container-restart-bounded", (p) => delete p.restart);
  });
  it("cpuShares other than 1024, or cpuQuota, satisfy the CPU rule", async function () {
    await passes("container-cpu-limited", (p) => ((p.cpuShares = 512), delete p.cpus));
    await passes("container-cpu-limited", (p) => ((p.cpuQuota = 50000), delete p.cpus));
  });
  it("a healthcheck in shell form passes", async function () {
    await passes("container-healthcheck", (p) => (p.healthcheck = { tests: ["CMD-SHELL", "redis-cli ping"] }));
  });
  it("the socket is allowed on a container labelled berth.allow-docker-socket=true", async function () {
    await passes("container-no-docker-socket", (p) => {
      p.volumes.push({ hostPath: "/run/docker.sock", containerPath: "/var/run/docker.sock" });
      setLabel(p, "berth.allow-docker-socket", "true");
    });
  });
  it("host paths that are neither sensitive nor the socket pass, and so do engine-chosen ports", async function () {
    await passes("container-no-sensitive-host-mounts", (p) =>
      p.volumes.push({ hostPath: "/srv/fixtures", containerPath: "/fixtures" }),
    );
    await passes("container-no-docker-socket", (p) =>
      p.volumes.push({ hostPath: "/var/lib/berth", containerPath: "/state" }),
    );
    await passes("container-no-privileged-host-ports", (p) => p.ports.push({ internal: 80 }));
  });
  it("capabilities on the allow-list pass, and the allow-list comes from policy config", async function () {
    await passes(
      "container-capabilities-dropped",
      (p) => (p.capabilities = { drops: ["all"], adds: ["CAP_NET_BIND_SERVICE", "chown"] }),
    );
    await passes("container-capabilities-dropped", (p) => (p.capabilities = { drops: ["ALL"], adds: ["SYS_PTRACE"] }), {
      allowedCapabilities: ["SYS_PTRACE"],
    });
  });
  it("no-new-privileges in any of the engine's spellings passes", async function () {
    for (const opt of ["no-new-privileges", "no-new-privileges=true", "no-new-privileges:true"])
      await passes("container-no-new-privileges", (p) => (p.securityOpts = [opt]));
  });
  it('user "nobody" and "1000:0" are not root', async function () {
    await passes("container-non-root-user", (p) => (p.user = "nobody"));
    await passes("container-non-root-user", (p) => (p.user = "1000:0"));
  });
});

describe("policy pack: values unknown during preview", function () {
  // @pulumi/policy hands props through this proxy during preview; it is internal, hence require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const proxy = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy(o: object): Props;
    unknownStringValue: string;
    unknownBooleanValue: string;
  };

  it("an unknown volume name or unrelated label stops no policy", async function () {
    const props = withChange((p) => {
      p.volumes[0].volumeName = proxy.unknownStringValue;
      p.labels.push({ label: "berth.stack", value: proxy.unknownStringValue });
    });
    for (const policy of POLICIES)
      assert.deepEqual(await violations(policy.name, proxy.unknownCheckingProxy(props)), [], policy.name);
  });

  it("fails when the value a policy reads is unknown: the SDK then reports that policy as not run in preview", async function () {
    const props = proxy.unknownCheckingProxy(withChange((p) => (p.readOnly = proxy.unknownBooleanValue)));
    await assert.rejects(violations("container-read-only-rootfs", props), {
      message: "boolean value at .readOnly can't be known during preview",
    });
    assert.deepEqual(await violations("container-memory-limited", props), []);
  });
});
