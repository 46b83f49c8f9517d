// Swarm mode (issue 15) without an engine: its config rules, the worker container as a service
// (components/workload/swarm-spec.ts), and the swarm stack's exact graph under Pulumi's mocks.
import { strict as assert } from "node:assert";
import { ConfigError, parseStackConfig } from "../../components/config/schema";
import { hardenedContainerArgs, HardenedContainerSpec } from "../../components/container/hardened";
import { DEFAULT_HARDENING, defaultHealthcheck } from "../../components/container/settings";
import { envMap, swarmServiceArgs, tmpfsOptions } from "../../components/workload/swarm-spec";
import { runProgram } from "../../lab/berth-program";
import { ProgramRun, resourceNamed } from "../../testing/recorder";

const parse = (values: Record<string, unknown>) => parseStackConfig(values, "Pulumi.test.yaml");

function problemsOf(values: Record<string, unknown>): string[] {
  try {
    parse(values);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    return err.message.split("\n");
  }
  assert.fail("expected the config to be rejected");
}

const APP = "registry.internal:5000/team/berth-workload:1.0";
const SWARM = { environment: "test", cluster: "swarm", images: { app: APP } };

describe("swarm config", function () {
  it("runs on one engine unless told otherwise, and keeps swarm workers off the manager", function () {
    const s = parse({ environment: "test" });
    assert.deepEqual(
      { cluster: s.cluster, swarm: s.swarm },
      { cluster: "none", swarm: { constraints: ["node.role==worker"] } },
    );
  });

  it("takes cluster: swarm with a pushed workload image and its own constraints", function () {
    const s = parse({ ...SWARM, swarm: { constraints: ["node.labels.pool==ci", "node.role != manager"] } });
    assert.deepEqual(
      { cluster: s.cluster, swarm: s.swarm, app: s.images.app.ref },
      { cluster: "swarm", swarm: { constraints: ["node.labels.pool==ci", "node.role != manager"] }, app: APP },
    );
  });

  it("fails when cluster is swarm and the workload image would be built on one engine", function () {
    assert.deepEqual(problemsOf({ environment: "test", cluster: "swarm" }), [
      "Invalid configuration in Pulumi.test.yaml (1 problem):",
      '  - berth:images.app: got nothing; allowed: an image in a registry every swarm node pulls from, e.g. "registry.internal:5000/team/berth-workload:1.0" (with cluster: swarm the workload image cannot be built on one engine: push it and name it here).',
      "Edit Pulumi.test.yaml (or use `pulumi config set --path <key> <value>`) and run again.",
    ]);
  });

  it("fails with every swarm rule at once: per-replica namespaces, the socket, no-new-privileges off", function () {
    const lines = problemsOf({
      ...SWARM,
      workers: { replicas: 2, namespaces: [["a"], ["b"]], dockerSocket: true },
      hardening: { workers: { noNewPrivileges: false } },
    });
    assert.deepEqual(lines, [
      "Invalid configuration in Pulumi.test.yaml (3 problems):",
      "  - berth:workers.namespaces: got 2 lists; allowed: one list of names for every replica when cluster is swarm (a swarm service runs identical replicas).",
      "  - berth:workers.dockerSocket: got true; allowed: false when cluster is swarm (berth does not mount a swarm node's engine socket into its tasks).",
      '  - berth:hardening.workers.noNewPrivileges: got false; allowed: true (or unset) when cluster is swarm: a service spec cannot set no-new-privileges before Engine API 1.44; the nodes\' dockerd sets it for every container ("no-new-privileges": true in daemon.json, README, Swarm).',
      "Edit Pulumi.test.yaml (or use `pulumi config set --path <key> <value>`) and run again.",
    ]);
  });

  it("fails when berth:swarm is set but cluster is not swarm", function () {
    assert.deepEqual(
      problemsOf({ environment: "test", swarm: { constraints: [] } })[1],
      '  - berth:swarm: got {"constraints":[]}; allowed: nothing unless berth:cluster is swarm: set berth:cluster: swarm, or remove berth:swarm.',
    );
  });

  it("fails on an unknown cluster and on a constraint that is not swarm's syntax", function () {
    assert.deepEqual(
      problemsOf({ ...SWARM, cluster: "kubernetes", swarm: { constraints: ["role=worker"] } }).slice(1, 3),
      [
        '  - berth:cluster: got "kubernetes"; allowed: one of "none", "swarm".',
        '  - berth:swarm.constraints[0]: got "role=worker"; allowed: a placement constraint such as "node.role==worker" or "node.labels.pool==ci".',
      ],
    );
  });
});

const WORKER: HardenedContainerSpec = {
  containerName: "p-s-worker",
  image: "reg:5000/app@sha256:abc",
  user: "1000:1000",
  memoryMb: 256,
  cpus: 0.5,
  hardening: { ...DEFAULT_HARDENING },
  healthcheck: { test: ["node", "/app/dist/healthcheck.js", "8081"], timing: defaultHealthcheck(false) },
  stopGraceSeconds: 2,
  networkName: "net-id",
  aliases: ["worker"],
  labels: { "berth.project": "p", "berth.service": "workers", "berth.stack": "s" },
  command: ["node", "/app/dist/worker.js"],
};
const PLACEMENT = {
  serviceName: "p-s-worker",
  replicas: 4,
  networkId: "net-id",
  labels: { "berth.project": "p" },
  constraints: ["node.role==worker"],
};
const asService = (spec: HardenedContainerSpec = WORKER, extra: Record<string, unknown> = {}) =>
  swarmServiceArgs({ ...hardenedContainerArgs(spec), ...extra }, PLACEMENT);

describe("swarm spec: the hardened worker container as a replicated service", function () {
  it("carries every hardening setting of the container into the service, field by field", function () {
    assert.deepEqual(asService(), {
      name: "p-s-worker",
      labels: [{ label: "berth.project", value: "p" }],
      mode: { replicated: { replicas: 4 } },
      endpointSpec: { mode: "dnsrr" },
      updateConfig: { parallelism: 0, order: "stop-first", delay: "0s", failureAction: "pause" },
      taskSpec: {
        containerSpec: {
          image: "reg:5000/app@sha256:abc",
          user: "1000:1000",
          readOnly: true,
          commands: ["node", "/app/dist/worker.js"],
          capDrops: ["ALL"],
          capAdds: [],
          init: false,
          healthcheck: {
            tests: ["CMD", "node", "/app/dist/healthcheck.js", "8081"],
            interval: "500ms",
            timeout: "2s",
            startPeriod: "20s",
            retries: 3,
          },
          mounts: [{ type: "tmpfs", target: "/tmp", tmpfsOptions: { sizeBytes: 64 * 1024 * 1024 } }],
          labels: [
            { label: "berth.project", value: "p" },
            { label: "berth.service", value: "workers" },
            { label: "berth.stack", value: "s" },
            { label: "berth.pids-limit", value: "256" },
          ],
          stopGracePeriod: "2s",
        },
        resources: { limits: { memoryBytes: 268435456, nanoCpus: 500000000 } },
        restartPolicy: { condition: "on-failure", maxAttempts: 3, delay: "0s" },
        placement: { constraints: ["node.role==worker"] },
        networksAdvanceds: [{ id: "net-id", aliases: ["worker"] }],
      },
    });
  });

  it("keeps explicit opt-outs: a writable root, an added capability, a root user, labelled as on one engine", function () {
    const spec = asService({
      ...WORKER,
      hardening: { ...DEFAULT_HARDENING, readOnly: false, capAdd: ["NET_BIND_SERVICE"], user: "0:0", maxRetryCount: 5 },
    });
    const c = spec.taskSpec as any;
    assert.deepEqual(
      {
        readOnly: c.containerSpec.readOnly,
        capAdds: c.containerSpec.capAdds,
        user: c.containerSpec.user,
        restart: c.restartPolicy,
        optOut: c.containerSpec.labels.find((l: any) => l.label === "berth.opt-out")?.value,
      },
      {
        readOnly: false,
        capAdds: ["NET_BIND_SERVICE"],
        user: "0:0",
        restart: { condition: "on-failure", maxAttempts: 5, delay: "0s" },
        optOut: "container-non-root-user,container-read-only-rootfs",
      },
    );
  });

  it("carries the container's stop signal and its one stop grace (stopTimeout, destroyGraceSeconds) as the task's", function () {
    const c = (asService({ ...WORKER, stopSignal: "SIGINT", stopGraceSeconds: 7 }).taskSpec as any).containerSpec;
    assert.deepEqual([c.stopSignal, c.stopGracePeriod], ["SIGINT", "7s"]);
    assert.equal((asService().taskSpec as any).containerSpec.stopSignal, undefined);
  });

  it("fails when the container's stopTimeout and destroyGraceSeconds differ (a task has one grace)", function () {
    assert.throws(() => asService(WORKER, { stopTimeout: 5 }), {
      message:
        "the worker container cannot become a swarm service: stopTimeout 5 differs from destroyGraceSeconds 2; a service has one stop grace period",
    });
  });

  it("fails when the container has a field the translation does not know", function () {
    assert.throws(() => asService(WORKER, { privileged: true, shmSize: 64 }), {
      message: "the worker container cannot become a swarm service: no translation for privileged, shmSize",
    });
  });

  it("fails when the container publishes a port or mounts a volume (the Docker socket)", function () {
    assert.throws(() => asService({ ...WORKER, ports: [{ internal: 8081, hostIp: "127.0.0.1" }] }), {
      message: /workers publish no port/,
    });
    assert.throws(() => asService({ ...WORKER, dockerSocket: true }), {
      message:
        "the worker container cannot become a swarm service: workers mount no volume on a swarm (berth:workers.dockerSocket is one engine's)",
    });
  });

  it("fails when no-new-privileges is left out or another security option is set (no service field holds them)", function () {
    assert.throws(() => asService({ ...WORKER, hardening: { ...DEFAULT_HARDENING, noNewPrivileges: false } }), {
      message: /securityOpts lack no-new-privileges: a swarm node's dockerd sets it for every container/,
    });
    assert.throws(() => asService(WORKER, { securityOpts: ["no-new-privileges:true", "seccomp=unconfined"] }), {
      message:
        'the worker container cannot become a swarm service: securityOpts ["seccomp=unconfined"] have no service setting (only no-new-privileges, which the nodes\' dockerd sets)',
    });
  });

  it("fails when swap differs from memory or a provider lifecycle flag is changed", function () {
    assert.throws(() => asService(WORKER, { memorySwap: -1 }), {
      message:
        "the worker container cannot become a swarm service: memorySwap -1 differs from memory 256; a 1.41 service spec has no swap setting",
    });
    assert.throws(() => asService(WORKER, { wait: true }), { message: /wait: true has no service equivalent/ });
  });

  it("reads tmpfs sizes and modes; fails on an owner (a service's tmpfs takes no uid)", function () {
    assert.deepEqual(
      [
        tmpfsOptions("/tmp", "rw,noexec,nosuid,size=64m"),
        tmpfsOptions("/a", "size=2g,mode=0700"),
        tmpfsOptions("/b", "size=512k,mode=1777"),
        tmpfsOptions("/c", "nodev"),
      ],
      [{ sizeBytes: 67108864 }, { sizeBytes: 2147483648, mode: 0o700 }, { sizeBytes: 524288, mode: 0o1777 }, {}],
    );
    assert.throws(() => tmpfsOptions("/data", "size=16m,uid=999"), {
      message:
        'the worker container cannot become a swarm service: tmpfs /data: option "uid=999" has no service setting (a 1.41 service\'s tmpfs takes only a size and a mode)',
    });
  });

  it("turns the env list into the provider's map, a later entry winning, values with '=' kept", function () {
    assert.deepEqual(envMap(["A=1", "URL=postgres://u:p@h/db?x=y", "A=2", "EMPTY="]), {
      A: "2",
      URL: "postgres://u:p@h/db?x=y",
      EMPTY: "",
    });
    assert.throws(() => envMap(["=nameless"]), { message: /env entry without a name/ });
  });
});

const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";
const SERVICE = "docker:index/service:Service";
const short = (urn: string) => urn.split("::").pop();

describe("program: the test stack with cluster: swarm, under mocks", function () {
  this.timeout(30_000);
  let run: ProgramRun;
  before(async function () {
    run = await runProgram("test", {
      "berth:cluster": "swarm",
      "berth:images": { app: APP },
      "berth:workers": { replicas: 4, namespaces: ["default"] },
      "berth:docker": { host: "tcp://10.0.0.5:2375" },
    });
  });

  it("declares one service for the workers instead of a container per worker", function () {
    assert.deepEqual(run.resources.map((r) => `${r.type} ${r.name}`).sort(), [
      "berth:index:Environment berth",
      "berth:index:HealthGate berth-data-gate",
      "berth:index:HealthGate berth-orchestrator-gate",
      "berth:index:HealthGate berth-workers-gate",
      "berth:index:Network berth-network",
      "berth:index:Orchestrator berth-orchestrator",
      "berth:index:Postgres berth-postgres",
      "berth:index:Redis berth-redis",
      "berth:index:SwarmWorkerPool berth-worker",
      "command:local:Command berth-data-gate-wait",
      "command:local:Command berth-orchestrator-gate-wait",
      "command:local:Command berth-postgres-template",
      "command:local:Command berth-worker-pids-limit",
      "command:local:Command berth-workers-gate-wait",
      "docker:index/container:Container berth-orchestrator",
      "docker:index/container:Container berth-postgres",
      "docker:index/container:Container berth-redis",
      "docker:index/network:Network berth-network",
      "docker:index/remoteImage:RemoteImage berth-app-image",
      "docker:index/remoteImage:RemoteImage berth-postgres-image",
      "docker:index/remoteImage:RemoteImage berth-redis-image",
      "docker:index/service:Service berth-worker",
      "pulumi:providers:docker berth-docker",
      "random:index/randomPassword:RandomPassword berth-postgres-password",
    ]);
  });

  it("puts every service on one attachable overlay network", function () {
    assert.deepEqual(resourceNamed(run, "docker:index/network:Network", "berth-network").inputs, {
      name: "berth-test-net",
      driver: "overlay",
      attachable: true,
      internal: false,
      labels: [
        { label: "berth.environment", value: "test" },
        { label: "berth.project", value: "berth" },
        { label: "berth.stack", value: "test" },
      ],
    });
    for (const c of ["berth-postgres", "berth-redis", "berth-orchestrator"])
      assert.equal(resourceNamed(run, CONTAINER, c).inputs.networksAdvanced[0].name, "berth-test-net", c);
    assert.deepEqual((resourceNamed(run, SERVICE, "berth-worker").inputs.taskSpec as any).networksAdvanceds, [
      { id: "berth-network-id", aliases: ["worker"] },
    ]);
  });

  it("runs 4 hardened replicas of the pinned workload image, each with its own WORKER_ID, off the manager", function () {
    const svc = resourceNamed(run, SERVICE, "berth-worker");
    const t = svc.inputs.taskSpec as any;
    assert.deepEqual(
      {
        name: svc.inputs.name,
        mode: svc.inputs.mode,
        endpoint: svc.inputs.endpointSpec,
        image: t.containerSpec.image,
        constraints: t.placement.constraints,
        secret: svc.secretInputs,
      },
      {
        name: "berth-test-worker",
        mode: { replicated: { replicas: 4 } },
        endpoint: { mode: "dnsrr" },
        image: `${APP}@sha256:mock`,
        constraints: ["node.role==worker"],
        secret: ["taskSpec"],
      },
    );
    assert.deepEqual(t.containerSpec.env, {
      DATABASE_URL: "postgres://berth:mock-password-0123456789abcdef@postgres:5432/berth",
      LOG_LEVEL: "info",
      NAMESPACES: "default",
      REDIS_URL: "redis://redis:6379",
      WORKER_ID: "worker-{{.Task.Slot}}-{{.Task.ID}}",
      WORKER_PORT: "8081",
    });
    assert.deepEqual(
      {
        user: t.containerSpec.user,
        readOnly: t.containerSpec.readOnly,
        capDrops: t.containerSpec.capDrops,
        limits: t.resources.limits,
        restart: t.restartPolicy,
        healthcheck: t.containerSpec.healthcheck,
      },
      {
        user: "1000:1000",
        readOnly: true,
        capDrops: ["ALL"],
        limits: { memoryBytes: 268435456, nanoCpus: 500000000 },
        restart: { condition: "on-failure", maxAttempts: 3, delay: "0s" },
        healthcheck: {
          tests: ["CMD", "sh", "/app/dist/healthcheck.sh", "8081"],
          interval: "500ms",
          timeout: "2s",
          startPeriod: "20s",
          retries: 3,
        },
      },
    );
  });

  it("sets the service's pids limit on the manager right after create, again whenever its spec changes", function () {
    const step = resourceNamed(run, COMMAND, "berth-worker-pids-limit");
    assert.equal(
      step.inputs.create,
      "node dist/tools/set-service-pids.js --service berth-test-worker --pids-limit 256",
    );
    assert.deepEqual(step.inputs.environment, { DOCKER_HOST: "tcp://10.0.0.5:2375" });
    assert.equal(step.inputs.triggers[0], "berth-worker-id");
    assert.match(step.inputs.triggers[1], /^[0-9a-f]{64}$/);
    assert.deepEqual(step.dependencies.map(short).sort(), [
      "berth-docker",
      "berth-orchestrator-gate-wait",
      "berth-worker",
    ]);
  });

  it("gates the workers on every replica running healthy and registered, asking the manager", function () {
    const gate = resourceNamed(run, COMMAND, "berth-workers-gate-wait");
    assert.equal(
      gate.inputs.create,
      "node dist/gate/cli.js --name workers --timeout-seconds 90 --http http://10.0.0.5:34504/v1/workers --http-min-items workers=4 --swarm-service berth-test-worker=4 " +
        "--hint 'To change this, edit Pulumi.test.yaml: the settings of these services are under berth:workers, berth:swarm, berth:images.app; raise berth:tiers.workers.gateTimeoutSeconds (now 90) only if they are healthy but slow.'",
    );
    // It runs again, in place, for a new service or pids step (a spec change replaces the step), and after the gates before it.
    assert.deepEqual(gate.inputs.environment, {
      DOCKER_HOST: "tcp://10.0.0.5:2375",
      BERTH_GATE_RUNS_FOR:
        "berth-worker-id berth-worker-pids-limit-id berth-orchestrator-id berth-postgres-id berth-redis-id",
    });
    assert.equal(gate.inputs.triggers, undefined);
    assert.deepEqual(gate.dependencies.map(short).sort(), [
      "berth-data-gate-wait",
      "berth-docker",
      "berth-orchestrator",
      "berth-orchestrator-gate-wait",
      "berth-postgres",
      "berth-redis",
      "berth-worker",
      "berth-worker-pids-limit",
    ]);
    assert.deepEqual(resourceNamed(run, SERVICE, "berth-worker").dependencies.map(short).sort(), [
      "berth-app-image",
      "berth-network",
      "berth-orchestrator-gate-wait",
      "berth-postgres-password",
    ]);
  });

  it("exports the worker service and no worker containers", function () {
    assert.deepEqual(
      { workerService: run.outputs.workerService, containerNames: run.outputs.containerNames },
      {
        workerService: "berth-test-worker",
        containerNames: {
          postgres: "berth-test-postgres",
          redis: "berth-test-redis",
          orchestrator: "berth-test-orchestrator",
          workers: [],
        },
      },
    );
  });

  it("sends every Docker resource to the manager through the one provider", function () {
    const provider = run.resources.find((r) => r.type === "pulumi:providers:docker")!;
    assert.deepEqual(provider.inputs.host, "tcp://10.0.0.5:2375");
    for (const r of run.resources.filter((r) => r.type.startsWith("docker:index/")))
      assert.ok(r.provider.startsWith(`${provider.urn}::`), `${r.name} uses ${r.provider}`);
  });
});
