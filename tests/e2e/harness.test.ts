// The e2e harness's own logic, without an engine or a CLI: engine mode's translation of berth's
// real Container inputs to Engine API calls, pulumi mode's Automation API calls, mode choice.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resourceNamed } from "../../testing/recorder";
import { berthRequest, runProgram, REPO_ROOT } from "../../lab/berth-program";
import { containerCreateCall, durationNs, publishedPorts } from "../../testing/engine/container-spec";
import { templateName, templateStartCommand } from "../../components/postgres/template";
import { AutomationStack, PulumiMode, pulumiCli, StackFactory, timelineOf } from "../../testing/engine/pulumi-mode";
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";
import { selectMode } from "../../testing/engine/select-mode";
import { readRecordedOutputs } from "../../testing/client/recorded-outputs";

const MB = 1024 * 1024;
const CONTAINER = "docker:index/container:Container";
const OVERRIDES = {
  "berth:useAlpine": false,
  "berth:images": { postgres: "berth-e2e/data:x", redis: "berth-e2e/data:x", app: "berth-e2e/workload:x" },
  "berth:hardening": { postgres: { user: "999:999" }, redis: { user: "999:999" } },
};

describe("e2e harness: engine mode's Container translation", () => {
  it("translates the test stack's Postgres container field by field", async () => {
    const run = await runProgram("test", OVERRIDES);
    const call = containerCreateCall(
      resourceNamed(run, CONTAINER, "berth-postgres").inputs as { name: string; image: string },
    );
    assert.deepEqual(call, {
      start: true,
      destroyGraceSeconds: 2,
      removeVolumes: true,
      options: {
        name: "berth-test-postgres",
        Image: "berth-e2e/data:x@sha256:mock",
        User: "999:999",
        Env: [
          "POSTGRES_USER=berth",
          "POSTGRES_DB=berth",
          "POSTGRES_PASSWORD=mock-password-0123456789abcdef",
          "PGDATA=/var/lib/postgresql/data",
        ],
        // The start script that copies the engine's template (components/postgres/template.ts), then the server.
        Cmd: templateStartCommand([
          "postgres",
          "-c",
          "shared_buffers=64MB",
          "-c",
          "listen_addresses=*",
          "-c",
          "fsync=off",
          "-c",
          "synchronous_commit=off",
          "-c",
          "full_page_writes=off",
        ]),
        ExposedPorts: { "5432/tcp": {} },
        Labels: {
          "berth.environment": "test",
          "berth.pids-limit": "256",
          "berth.project": "berth",
          "berth.service": "postgres",
          "berth.stack": "test",
        },
        StopSignal: "SIGINT",
        StopTimeout: 2,
        Healthcheck: {
          Test: ["CMD", "pg_isready", "-h", "127.0.0.1", "-p", "5432", "-U", "berth", "-d", "berth"],
          Interval: 60_000_000_000,
          Timeout: 10_000_000_000,
          StartPeriod: 20_000_000_000,
          Retries: 1,
        },
        HostConfig: {
          Memory: 512 * MB,
          MemorySwap: 512 * MB,
          NanoCpus: 1_000_000_000,
          ReadonlyRootfs: true,
          SecurityOpt: ["no-new-privileges:true"],
          CapDrop: ["ALL"],
          RestartPolicy: { Name: "on-failure", MaximumRetryCount: 3 },
          Init: false,
          Tmpfs: {
            "/tmp": "rw,noexec,nosuid,size=64m",
            "/var/lib/postgresql/data": "rw,nosuid,nodev,size=256m,mode=0700,uid=999,gid=999",
            "/var/run/postgresql": "rw,nosuid,nodev,size=1m,mode=0775,uid=999,gid=999",
          },
          // The engine's shared template volume, named by what the template is made from.
          Binds: [
            `${templateName({ baseImage: "berth-e2e/data:x@sha256:mock", user: "berth", database: "berth" })}:/var/lib/berth-postgres-template:ro`,
          ],
          PortBindings: { "5432/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] },
          NetworkMode: "berth-test-net",
        },
        NetworkingConfig: { EndpointsConfig: { "berth-test-net": { Aliases: ["postgres"] } } },
      },
    });
  });

  it("translates the stop signal and timeout as the provider does: an empty signal and a 0 timeout are not sent", function () {
    const stop = (inputs: Record<string, unknown>) => {
      const { options } = containerCreateCall({ name: "c", image: "i", ...inputs });
      return [options.StopSignal, options.StopTimeout, "StopSignal" in options, "StopTimeout" in options];
    };
    assert.deepEqual(stop({ stopSignal: "SIGINT", stopTimeout: 5 }), ["SIGINT", 5, true, true]);
    assert.deepEqual(stop({ stopSignal: "", stopTimeout: 0 }), [undefined, undefined, false, false]);
    assert.deepEqual(stop({}), [undefined, undefined, false, false]);
    assert.equal(containerCreateCall({ name: "c", image: "i", destroyGraceSeconds: 3 }).destroyGraceSeconds, 3);
  });

  it("translates a worker: half a CPU, no published port, the namespace of the pool's network container, whose alias is the workers'", async () => {
    const run = await runProgram("test", OVERRIDES);
    const { options } = containerCreateCall(
      resourceNamed(run, CONTAINER, "berth-worker-1").inputs as { name: string; image: string },
    );
    assert.deepEqual(
      {
        cpus: options.HostConfig?.NanoCpus,
        memory: options.HostConfig?.Memory,
        ports: options.HostConfig?.PortBindings,
        exposed: options.ExposedPorts,
        mode: options.HostConfig?.NetworkMode,
        endpoints: options.NetworkingConfig,
        cmd: options.Cmd,
      },
      {
        cpus: 500_000_000,
        memory: 256 * MB,
        ports: undefined,
        exposed: undefined,
        mode: "container:berth-worker-net-id",
        endpoints: undefined,
        cmd: ["node", "/app/dist/worker.js"],
      },
    );
    assert.deepEqual([options.StopSignal, options.StopTimeout], [undefined, 2]);
    const net = containerCreateCall(
      resourceNamed(run, CONTAINER, "berth-worker-net").inputs as { name: string; image: string },
    ).options;
    assert.deepEqual(
      [net.HostConfig?.NetworkMode, net.NetworkingConfig],
      ["berth-test-net", { EndpointsConfig: { "berth-test-net": { Aliases: ["worker"] } } }],
    );
  });

  it("fails on a network mode beside a network to join, which the engine would refuse", () => {
    assert.throws(
      () =>
        containerCreateCall({
          name: "c",
          image: "i",
          networkMode: "container:abc",
          networksAdvanced: [{ name: "net", aliases: [] }],
        }),
      {
        message: "engine mode gives a container networkMode or networksAdvanced, not both (networkMode container:abc)",
      },
    );
  });

  it("binds named volumes and host paths, and keeps a fixed host port", () => {
    const { options } = containerCreateCall({
      name: "c",
      image: "i",
      volumes: [
        { volumeName: "data", containerPath: "/data" },
        { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true },
      ],
      ports: [{ internal: 8080, external: 18080, ip: "0.0.0.0", protocol: "tcp" }],
    });
    assert.deepEqual(
      [options.HostConfig?.Binds, options.HostConfig?.PortBindings],
      [
        ["data:/data", "/var/run/docker.sock:/var/run/docker.sock:ro"],
        { "8080/tcp": [{ HostIp: "0.0.0.0", HostPort: "18080" }] },
      ],
    );
  });

  it("fails when an input has no translation, instead of dropping it", () => {
    assert.throws(
      () =>
        containerCreateCall({ name: "c", image: "i", ulimits: [{ name: "nofile", soft: 1, hard: 1 }], gpus: "all" }),
      {
        message: "engine mode does not translate Container inputs: gpus, ulimits",
      },
    );
  });

  it("reads Go durations as nanoseconds, and fails when one is malformed", () => {
    assert.deepEqual(["200ms", "2s", "1m30s", "1.5s"].map(durationNs), [200e6, 2e9, 90e9, 1.5e9]);
    assert.throws(() => durationNs("2 s"), { message: 'not a duration: "2 s"' });
  });

  it("reports the host port the engine chose, matched by bind address", () => {
    const ports = publishedPorts([{ internal: 8080, ip: "127.0.0.1", protocol: "tcp" }], {
      "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "49153" }],
    });
    assert.deepEqual(ports, [{ internal: 8080, external: 49153, ip: "127.0.0.1", protocol: "tcp" }]);
  });
});

const URN = "urn:pulumi:e2e-1::berth::";
const step = (op: OpType, type: string, name: string, custom = true) => ({
  op,
  urn: `${URN}${type}::${name}`,
  type,
  provider: "",
  new: { type, urn: `${URN}${type}::${name}`, custom, id: "", parent: "", inputs: {}, outputs: {}, provider: "" },
});
let sequence = 0;
const pre = (op: OpType, type: string, name: string, custom = true): EngineEvent => ({
  sequence: sequence++,
  timestamp: 0,
  resourcePreEvent: { metadata: step(op, type, name, custom) },
});
const outputs = (op: OpType, type: string, name: string, custom = true): EngineEvent => ({
  sequence: sequence++,
  timestamp: 0,
  resOutputsEvent: { metadata: step(op, type, name, custom) },
});
const NETWORK = "docker:index/network:Network";
const CONTAINER_TYPE = "docker:index/container:Container";
// An up as the CLI reports it: the stack and a component (not custom), a default provider, the
// network, then a container that depends on it.
const UP_EVENTS: EngineEvent[] = [
  pre("create", "pulumi:pulumi:Stack", "berth-e2e-1", false),
  pre("create", "pulumi:providers:docker", "default_4_7_0"),
  outputs("create", "pulumi:providers:docker", "default_4_7_0"),
  pre("create", "berth:index:Postgres", "berth-postgres", false),
  pre("create", NETWORK, "berth-network"),
  outputs("create", NETWORK, "berth-network"),
  pre("create", CONTAINER_TYPE, "berth-postgres"),
  outputs("create", CONTAINER_TYPE, "berth-postgres"),
];

function fakeAutomation(opts: { destroyFails?: boolean } = {}) {
  const calls: unknown[][] = [];
  const stack: AutomationStack = {
    setAllConfig: async (config) => void calls.push(["setAllConfig", config]),
    up: async (o) => {
      const { onEvent, ...options } = o ?? {};
      calls.push(["up", options]);
      for (const event of UP_EVENTS) onEvent?.(event);
      return {
        outputs: {
          networkName: { value: "berth-e2e-1-net", secret: false },
          hostUrls: { value: { redis: "redis://127.0.0.1:32768" }, secret: true },
        },
        summary: { resourceChanges: { create: 18 } },
      };
    },
    destroy: async (o) => {
      calls.push(["destroy", o]);
      if (opts.destroyFails) throw new Error("destroy failed: engine gone");
    },
    workspace: { removeStack: async (name, o) => void calls.push(["removeStack", name, o]) },
  };
  const factory: StackFactory = async (args, o) => {
    calls.push(["createOrSelectStack", args, o]);
    return stack;
  };
  return { calls, factory };
}

describe("e2e harness: pulumi mode (no CLI needed)", () => {
  const outputsParent = mkdtempSync(join(tmpdir(), "berth-e2e-outputs-test-"));
  after(() => rmSync(outputsParent, { recursive: true, force: true }));

  it("ups a unique stack on a temp file backend with the stack file's config plus overrides, then destroys and removes it", async () => {
    const { calls, factory } = fakeAutomation();
    const backendDir = mkdtempSync(join(tmpdir(), "berth-e2e-backend-test-"));
    const outputsDir = join(outputsParent, "outputs");
    const mode = new PulumiMode(factory, () => backendDir, outputsDir);
    const request = berthRequest("e2e-1", "test", { "berth:images": { app: "berth-e2e/workload:x" } });
    const up = await mode.up(request);
    await mode.up(request); // a second up reuses the stack
    // Recorded for test code in other processes (testing/client), secrets named.
    const recorded = readRecordedOutputs({ project: "berth", stack: "e2e-1" }, outputsDir);
    assert.deepEqual(
      { outputs: recorded?.outputs, secretOutputs: recorded?.secretOutputs },
      { outputs: up.outputs, secretOutputs: ["hostUrls"] },
    );
    await mode.destroy("e2e-1");
    assert.equal(readRecordedOutputs({ project: "berth", stack: "e2e-1" }, outputsDir), undefined);
    // The timeline from the engine's events, in the order they came: the declared custom resources.
    const { timeline, ...rest } = up;
    assert.deepEqual(rest, {
      outputs: { networkName: "berth-e2e-1-net", hostUrls: { redis: "redis://127.0.0.1:32768" } },
      changes: { create: 18, update: 0, replace: 0, same: 0, delete: 0 },
    });
    assert.deepEqual(
      timeline.map(({ type, name, action }) => [type, name, action]),
      [
        [NETWORK, "berth-network", "create"],
        [CONTAINER_TYPE, "berth-postgres", "create"],
      ],
    );
    assert.ok(
      timeline[1].startedMs >= timeline[0].finishedMs && timeline[0].finishedMs >= timeline[0].startedMs,
      JSON.stringify(timeline),
    );
    const config = {
      "berth:environment": { value: "test", secret: false },
      "berth:workers": { value: '{"replicas":2,"namespaces":["default"]}', secret: false },
      "berth:images": { value: '{"app":"berth-e2e/workload:x"}', secret: false },
    };
    assert.deepEqual(calls, [
      [
        "createOrSelectStack",
        { stackName: "e2e-1", workDir: REPO_ROOT },
        {
          workDir: REPO_ROOT,
          envVars: {
            PULUMI_BACKEND_URL: `file://${backendDir}`,
            PULUMI_CONFIG_PASSPHRASE: "",
            PULUMI_SKIP_UPDATE_CHECK: "true",
          },
        },
      ],
      ["setAllConfig", config],
      ["up", { color: "never", refresh: false }],
      ["setAllConfig", config],
      ["up", { color: "never", refresh: false }],
      ["destroy", { color: "never" }],
      ["removeStack", "e2e-1", undefined],
    ]);
    assert.equal(existsSync(backendDir), false, "the temp backend is removed");
  });

  it("makes one timeline entry of a replacement's steps, from its first step to its last outputs", () => {
    const events: EngineEvent[] = [
      pre("create-replacement", CONTAINER_TYPE, "berth-redis"),
      outputs("create-replacement", CONTAINER_TYPE, "berth-redis"),
      pre("replace", CONTAINER_TYPE, "berth-redis"),
      outputs("replace", CONTAINER_TYPE, "berth-redis"),
      pre("same", NETWORK, "berth-network"),
      outputs("same", NETWORK, "berth-network"),
      pre("update", "command:local:Command", "berth-data-gate-wait"),
      outputs("update", "command:local:Command", "berth-data-gate-wait"),
      pre("delete", CONTAINER_TYPE, "berth-old"),
      outputs("delete", CONTAINER_TYPE, "berth-old"),
    ];
    assert.deepEqual(timelineOf(events.map((event, i) => ({ atMs: i * 10, event }))), [
      { type: CONTAINER_TYPE, name: "berth-redis", action: "replace", startedMs: 0, finishedMs: 30 },
      { type: NETWORK, name: "berth-network", action: "same", startedMs: 40, finishedMs: 50 },
      { type: "command:local:Command", name: "berth-data-gate-wait", action: "update", startedMs: 60, finishedMs: 70 },
    ]);
  });

  it("sets berth:postgresPassword as a secret", async () => {
    const { calls, factory } = fakeAutomation();
    const mode = new PulumiMode(factory, () => mkdtempSync(join(tmpdir(), "berth-e2e-backend-test-")));
    await mode.up(berthRequest("e2e-2", "test", { "berth:postgresPassword": "s3cret" }));
    await mode.destroy("e2e-2");
    assert.deepEqual((calls[1][1] as Record<string, unknown>)["berth:postgresPassword"], {
      value: "s3cret",
      secret: true,
    });
  });

  it("fails when destroy fails, and still removes the temp backend", async () => {
    const { factory } = fakeAutomation({ destroyFails: true });
    const backendDir = mkdtempSync(join(tmpdir(), "berth-e2e-backend-test-"));
    const mode = new PulumiMode(factory, () => backendDir);
    await mode.up(berthRequest("e2e-3", "test"));
    await assert.rejects(mode.destroy("e2e-3"), { message: "destroy failed: engine gone" });
    assert.equal(existsSync(backendDir), false);
  });
});

describe("e2e harness: choosing the mode", () => {
  it("detects a working CLI by its version", () => {
    assert.deepEqual(pulumiCli({ command: process.execPath, args: ["-e", "console.log('v3.248.0')"] }), {
      works: true,
      why: "pulumi v3.248.0",
    });
  });

  it("fails when the CLI exits non-zero (the npm wrapper that cannot download)", () => {
    const r = pulumiCli({ command: "sh", args: ["-c", "echo 'pulumi: fetch failed' >&2; exit 1"] });
    assert.deepEqual(r, {
      works: false,
      why: "`sh -c echo 'pulumi: fetch failed' >&2; exit 1` exited 1: pulumi: fetch failed",
    });
  });

  it("fails when the CLI does not answer in time, without waiting for it", () => {
    const r = pulumiCli({ command: "sleep", args: ["3600"], timeoutMs: 300 });
    assert.deepEqual(r, { works: false, why: "`sleep 3600` did not answer within 300 ms" });
  });

  it("fails when there is no CLI at all", () => {
    assert.deepEqual(pulumiCli({ command: "berth-no-such-pulumi" }), {
      works: false,
      why: "`berth-no-such-pulumi version`: ENOENT",
    });
  });

  it("uses pulumi mode when the CLI works and engine mode otherwise; BERTH_E2E_MODE forces one", () => {
    const works = () => ({ works: true, why: "pulumi v3.248.0" });
    const broken = () => ({ works: false, why: "`pulumi version` exited 1: pulumi: fetch failed" });
    assert.equal(selectMode({}, works).mode.kind, "pulumi");
    assert.deepEqual(
      [selectMode({}, broken).mode.kind, selectMode({}, broken).why],
      ["engine", "no pulumi CLI (`pulumi version` exited 1: pulumi: fetch failed)"],
    );
    assert.equal(selectMode({ BERTH_E2E_MODE: "engine" }, works).mode.kind, "engine");
    assert.throws(() => selectMode({ BERTH_E2E_MODE: "pulumi" }, broken), {
      message: "BERTH_E2E_MODE=pulumi but no pulumi CLI works here: `pulumi version` exited 1: pulumi: fetch failed",
    });
    assert.throws(() => selectMode({ BERTH_E2E_MODE: "cli" }, works), {
      message: 'BERTH_E2E_MODE must be "engine" or "pulumi"; got "cli"',
    });
  });
});

describe("e2e harness: the async mock engine mode relies on", () => {
  // Engine mode orders its work on the engine only by this: the SDK registers a resource once
  // every resource it depends on (dependsOn or an input) has been answered by the mock.
  it("registers a dependent only after the mock has answered for what it depends on", async () => {
    const pulumi = await import("@pulumi/pulumi");
    const command = await import("@pulumi/command");
    const events: string[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: async (r) => {
          events.push(`start ${r.name}`);
          if (r.name === "slow") await new Promise((done) => setTimeout(done, 150));
          events.push(`end ${r.name}`);
          return { id: `${r.name}-id`, state: { ...r.inputs, stdout: `${r.name}-out` } };
        },
        call: (c) => c.inputs,
      },
      "berth",
      "mock-order",
      false,
    );
    const slow = new command.local.Command("slow", { create: "true" });
    new command.local.Command("by-depends-on", { create: "true" }, { dependsOn: [slow] });
    new command.local.Command("by-input", { create: slow.stdout.apply((out) => `echo ${out}`) });
    new command.local.Command("free", { create: "true" });
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    await settings.waitForRPCs();
    const at = (event: string) => events.indexOf(event);
    assert.ok(at("start free") < at("end slow"), `independent work waited: ${events.join(", ")}`);
    for (const dependent of ["by-depends-on", "by-input"]) {
      assert.ok(
        at(`start ${dependent}`) > at("end slow"),
        `${dependent} started before slow ended: ${events.join(", ")}`,
      );
    }
    assert.equal(events.length, 8);
  });
});
