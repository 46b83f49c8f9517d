// Engine mode's translation of docker.Service inputs to the Engine API's ServiceSpec, without an
// engine: berth's real swarm worker service field by field, then the inputs it refuses.
import assert from "node:assert/strict";
import { runProgram } from "../../lab/berth-program";
import { resourceNamed } from "../../testing/recorder";
import { removalWaitSeconds, serviceCreateSpec } from "../../testing/engine/service-spec";

const SERVICE = "docker:index/service:Service";
const APP = "127.0.0.1:5055/berth-e2e/workload:x";

describe("engine mode: docker.Service translation", function () {
  this.timeout(30_000);

  it("translates the swarm stack's worker service field by field", async () => {
    const run = await runProgram("test", {
      "berth:cluster": "swarm",
      "berth:images": { app: APP },
      "berth:workers": { replicas: 3, namespaces: ["default"] },
    });
    const inputs = resourceNamed(run, SERVICE, "berth-worker").inputs;
    assert.deepEqual(serviceCreateSpec(inputs), {
      Name: "berth-test-worker",
      Labels: {
        "berth.environment": "test",
        "berth.project": "berth",
        "berth.service": "workers",
        "berth.stack": "test",
      },
      TaskTemplate: {
        ContainerSpec: {
          Image: `${APP}@sha256:mock`,
          Labels: {
            "berth.environment": "test",
            "berth.pids-limit": "256",
            "berth.project": "berth",
            "berth.service": "workers",
            "berth.stack": "test",
          },
          Command: ["node", "/app/dist/worker.js"],
          Env: [
            "DATABASE_URL=postgres://berth:mock-password-0123456789abcdef@postgres:5432/berth",
            "LOG_LEVEL=info",
            "NAMESPACES=default",
            "REDIS_URL=redis://redis:6379",
            "WORKER_ID=worker-{{.Task.Slot}}-{{.Task.ID}}",
            "WORKER_PORT=8081",
          ],
          User: "1000:1000",
          ReadOnly: true,
          Mounts: [{ Type: "tmpfs", Target: "/tmp", TmpfsOptions: { SizeBytes: 67108864 } }],
          StopGracePeriod: 2_000_000_000,
          Healthcheck: {
            Test: ["CMD", "sh", "/app/dist/healthcheck.sh", "8081"],
            Interval: 500_000_000,
            Timeout: 2_000_000_000,
            StartPeriod: 20_000_000_000,
            Retries: 3,
          },
          Init: false,
          CapabilityAdd: [],
          CapabilityDrop: ["ALL"],
        },
        Resources: { Limits: { NanoCPUs: 500_000_000, MemoryBytes: 268435456 } },
        RestartPolicy: { Condition: "on-failure", Delay: 0, MaxAttempts: 3 },
        Placement: { Constraints: ["node.role==worker"] },
        Networks: [{ Target: "berth-network-id", Aliases: ["worker"] }],
      },
      Mode: { Replicated: { Replicas: 3 } },
      UpdateConfig: { Parallelism: 0, Delay: 0, FailureAction: "pause", Order: "stop-first" },
      EndpointSpec: { Mode: "dnsrr" },
    });
    // The provider waits for the tasks to go when a stop grace period is set (the test workers' tier: 2 s).
    assert.equal(removalWaitSeconds(inputs), 2);
  });

  it("translates the rest of what it accepts: global mode, reservations, spread, network options, rollout timing", () => {
    const spec = serviceCreateSpec({
      name: "s",
      mode: { global: true },
      updateConfig: { monitor: "1m30s", maxFailureRatio: "0.5" },
      taskSpec: {
        containerSpec: {
          image: "i",
          args: ["-v"],
          hostname: "{{.Node.Hostname}}",
          dir: "/w",
          groups: ["audio"],
          stopSignal: "SIGINT",
          mounts: [{ type: "volume", target: "/d", source: "v", readOnly: true }],
        },
        resources: { reservation: { memoryBytes: 1024, nanoCpus: 1000 } },
        restartPolicy: { condition: "any", window: "2m" },
        placement: { prefs: ["node.labels.zone"], maxReplicas: 2 },
        networksAdvanceds: [{ name: "net", driverOpts: ["com.docker.network.driver.mtu=1400"] }],
        forceUpdate: 1,
      },
    });
    assert.deepEqual(spec, {
      Name: "s",
      Labels: {},
      TaskTemplate: {
        ContainerSpec: {
          Image: "i",
          Args: ["-v"],
          Hostname: "{{.Node.Hostname}}",
          Dir: "/w",
          Groups: ["audio"],
          StopSignal: "SIGINT",
          Mounts: [{ Type: "volume", Target: "/d", Source: "v", ReadOnly: true }],
        },
        Resources: { Reservations: { NanoCPUs: 1000, MemoryBytes: 1024 } },
        RestartPolicy: { Condition: "any", Window: 120_000_000_000 },
        Placement: { Preferences: [{ Spread: { SpreadDescriptor: "node.labels.zone" } }], MaxReplicas: 2 },
        ForceUpdate: 1,
        Networks: [{ Target: "net", DriverOpts: { "com.docker.network.driver.mtu": "1400" } }],
      },
      Mode: { Global: {} },
      UpdateConfig: { Monitor: 90_000_000_000, MaxFailureRatio: 0.5 },
    });
    assert.equal(removalWaitSeconds({ taskSpec: { containerSpec: { stopGracePeriod: "0s" } } }), undefined);
  });

  it("fails when an input has no translation, naming its path, instead of dropping it", () => {
    const base = { name: "s", taskSpec: { containerSpec: { image: "i" } } };
    assert.throws(
      () => serviceCreateSpec({ ...base, auth: { serverAddress: "r" }, convergeConfig: { timeout: "1m" } }),
      { message: "engine mode does not translate Service inputs: auth, convergeConfig" },
    );
    assert.throws(
      () =>
        serviceCreateSpec({
          ...base,
          taskSpec: { containerSpec: { image: "i", secrets: [{ secretId: "x", fileName: "f" }], privileges: {} } },
        }),
      {
        message:
          "engine mode does not translate Service inputs: taskSpec.containerSpec.privileges, taskSpec.containerSpec.secrets",
      },
    );
    assert.throws(() => serviceCreateSpec({ ...base, endpointSpec: { mode: "vip", ports: [{ targetPort: 80 }] } }), {
      message: "engine mode does not translate Service inputs: endpointSpec.ports",
    });
    assert.throws(
      () => serviceCreateSpec({ ...base, taskSpec: { ...base.taskSpec, logDriver: { name: "json-file" } } }),
      { message: "engine mode does not translate Service inputs: taskSpec.logDriver" },
    );
  });

  it("fails when a network has neither id nor name, as the provider does", () => {
    assert.throws(
      () =>
        serviceCreateSpec({
          name: "s",
          taskSpec: { containerSpec: { image: "i" }, networksAdvanceds: [{ aliases: ["a"] }] },
        }),
      {
        message: "engine mode: a service network needs an id or a name (the provider's rule)",
      },
    );
  });
});
