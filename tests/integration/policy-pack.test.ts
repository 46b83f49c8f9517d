// The pack as the Pulumi engine runs it: policy/index.ts started by @pulumi/pulumi's own policy
// pack runner (type-checked, as `pulumi preview --policy-pack policy` does), then called over the
// analyzer gRPC protocol. The Pulumi CLI cannot be downloaded on these machines; this is the part
// of its job that matters here. No Docker engine needed.
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";

const ROOT = join(__dirname, "..", "..");
const RUNNER = join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
const CONTAINER = "docker:index/container:Container";
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // the engine's wire form of an unknown string

/** Starts the pack; resolves with its port once it prints it, as the engine reads it. */
function startPack(): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNNER, "127.0.0.1:0", "."], {
      cwd: join(ROOT, "policy"),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk) => {
      out += chunk;
      const port = /^(\d+)\s*$/m.exec(out);
      if (port) resolve({ child, port: Number(port[1]) });
    });
    child.stderr?.on("data", (chunk) => (err += chunk));
    child.on("exit", (code) => reject(new Error(`policy pack exited with ${code} before listening:\n${err}${out}`)));
  });
}

/** One unary RPC as a promise. */
const call = <Res>(start: (cb: (e: grpc.ServiceError | null, res: Res) => void) => unknown): Promise<Res> =>
  new Promise((resolve, reject) => start((e, res) => (e ? reject(e) : resolve(res))));

function analyzeRequest(props: Record<string, unknown>): proto.AnalyzeRequest {
  const req = new proto.AnalyzeRequest();
  req.setType(CONTAINER);
  req.setName("worker-0");
  req.setUrn(`urn:pulumi:test::berth::berth:index:WorkerPool$${CONTAINER}::worker-0`);
  req.setProperties(Struct.fromJavaScript(props as Record<string, never>));
  req.setOptions(new proto.AnalyzerResourceOptions());
  return req;
}

const HARDENED = {
  image: "berth-test/busybox:local",
  user: "1000:1000",
  memory: 256,
  cpus: "0.5",
  readOnly: true,
  securityOpts: ["no-new-privileges:true"],
  capabilities: { drops: ["ALL"] },
  restart: "on-failure",
  maxRetryCount: 3,
  healthcheck: { tests: ["CMD", "true"] },
  labels: [
    { label: "berth.service", value: "workers" },
    { label: "berth.pids-limit", value: "256" },
  ],
};

describe("policy pack: served by Pulumi's policy pack runner", function () {
  this.timeout(120_000);
  let pack: { child: ChildProcess; port: number };
  let client: AnalyzerClient;

  before(async function () {
    pack = await startPack();
    client = new AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure());
  });

  after(function () {
    client?.close();
    pack?.child.kill();
  });

  // Each message as the engine shows it: the policy's description, then the violation.
  const diagnostics = async (props: Record<string, unknown>) =>
    (await call<proto.AnalyzeResponse>((cb) => client.analyze(analyzeRequest(props), cb)))
      .getDiagnosticsList()
      .map((d) => [d.getPolicyname(), d.getEnforcementlevel(), d.getMessage()]);

  it("announces the pack: name, version, 16 mandatory policies", async function () {
    const info = await call<proto.AnalyzerInfo>((cb) => client.getAnalyzerInfo(new Empty(), cb));
    assert.equal(info.getName(), "berth-cis-docker");
    assert.equal(info.getVersion(), "0.1.0");
    const policies = info.getPoliciesList();
    assert.equal(policies.length, 16);
    assert.deepEqual(
      new Set(policies.map((p) => p.getEnforcementlevel())),
      new Set([proto.EnforcementLevel.MANDATORY]),
    );
    assert.equal(policies[0].getName(), "container-non-root-user");
  });

  it("reports nothing for a berth-hardened container, even with an unknown volume name", async function () {
    assert.deepEqual(
      await diagnostics({ ...HARDENED, volumes: [{ volumeName: UNKNOWN_STRING, containerPath: "/data" }] }),
      [],
    );
  });

  it("fails when the container is writable and mounts the socket: two mandatory violations", async function () {
    const props = {
      ...HARDENED,
      readOnly: false,
      volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }],
    };
    assert.deepEqual(await diagnostics(props), [
      [
        "container-read-only-rootfs",
        proto.EnforcementLevel.MANDATORY,
        "CIS Docker Benchmark v1.6.0 5.13 for docker.Container: root filesystem is read-only.\n" +
          "CIS 5.13 (root filesystem is read-only): the root filesystem is writable. Fix: set readOnly: true and give writable paths a tmpfs, or opt this container out explicitly under berth:hardening.workers.readOnly.",
      ],
      [
        "container-no-docker-socket",
        proto.EnforcementLevel.MANDATORY,
        "CIS Docker Benchmark v1.6.0 5.32 for docker.Container: the Docker socket is not mounted.\n" +
          "CIS 5.32 (the Docker socket is not mounted): host path /var/run/docker.sock is mounted at /var/run/docker.sock without the label berth.allow-docker-socket=true. Fix: remove the mount; a worker pool that must drive Docker opts in with berth:workers.dockerSocket: true, which labels its containers berth.allow-docker-socket=true.",
      ],
    ]);
  });

  it("takes enforcement levels and the capability allow-list from --policy-pack-config", async function () {
    const configure = new proto.ConfigureAnalyzerRequest();
    const advisory = new proto.PolicyConfig();
    advisory.setEnforcementlevel(proto.EnforcementLevel.ADVISORY);
    advisory.setProperties(new Struct()); // the engine always sends one
    configure.getPolicyconfigMap().set("container-read-only-rootfs", advisory);
    const caps = new proto.PolicyConfig();
    caps.setEnforcementlevel(proto.EnforcementLevel.MANDATORY);
    caps.setProperties(Struct.fromJavaScript({ allowedCapabilities: ["SYS_PTRACE"] }));
    configure.getPolicyconfigMap().set("container-capabilities-dropped", caps);
    await call<Empty>((cb) => client.configure(configure, cb));

    const props = { ...HARDENED, readOnly: false, capabilities: { drops: ["ALL"], adds: ["SYS_PTRACE"] } };
    assert.deepEqual(await diagnostics(props), [
      [
        "container-read-only-rootfs",
        proto.EnforcementLevel.ADVISORY,
        "CIS Docker Benchmark v1.6.0 5.13 for docker.Container: root filesystem is read-only.\n" +
          "CIS 5.13 (root filesystem is read-only): the root filesystem is writable. Fix: set readOnly: true and give writable paths a tmpfs, or opt this container out explicitly under berth:hardening.workers.readOnly.",
      ],
    ]);
  });
});
