// The lab's pure pieces: image references, the registry's and nested dockerd's configuration, the
// DinD nodes' host config, node names and log framing. The engines themselves are exercised by
// tests/integration/lab-swarm.test.ts.
import assert from "node:assert/strict";
import type Docker from "dockerode";
import { demuxFrames } from "../../gate/container-diagnostics";
import { checkPrefixFree, dindHostConfig, dockerdConfig } from "../../lab/dind-node";
import { DIND_ENTRYPOINT, dindImageTag } from "../../lab/images/dind-image";
import { imageRefAt, registryAddressFor, registryConfig, registryPort, splitReference } from "../../lab/registry";
import { nodeNames, swarmLabels } from "../../lab/swarm";

function withEnv(name: string, value: string | undefined, fn: () => void): void {
  const saved = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    fn();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}

describe("lab: image references", () => {
  const cases: Array<[string, { repository: string; tag: string }]> = [
    ["berth-test/busybox:local", { repository: "berth-test/busybox", tag: "local" }],
    ["busybox", { repository: "busybox", tag: "latest" }],
    ["127.0.0.1:5055/berth-e2e/data:7aa7", { repository: "berth-e2e/data", tag: "7aa7" }],
    ["localhost/app", { repository: "app", tag: "latest" }],
    ["mirror.internal/hub/postgres:16-alpine", { repository: "hub/postgres", tag: "16-alpine" }],
    ["registry:5000/app", { repository: "app", tag: "latest" }],
    ["team/app:1.2", { repository: "team/app", tag: "1.2" }],
  ];
  for (const [image, expected] of cases) {
    it(`splits ${image}`, () => assert.deepEqual(splitReference(image), expected));
  }

  it("fails when given a digest reference", () => {
    assert.throws(() => splitReference("app@sha256:abc"), {
      message: "app@sha256:abc: push a tagged image, not a digest reference",
    });
  });

  it("names the pushed image as the nodes see the registry", () => {
    assert.equal(registryAddressFor({ port: 5055 }, "172.23.0.1"), "172.23.0.1:5055");
    assert.equal(
      imageRefAt({ repository: "berth-test/busybox", tag: "local" }, "172.23.0.1:5055"),
      "172.23.0.1:5055/berth-test/busybox:local",
    );
  });
});

describe("lab: registry settings", () => {
  it("listens on every address, stores under the data directory, allows deletes", () => {
    assert.deepEqual(registryConfig(5055, "/var/lib/berth-lab/registry/data"), {
      version: 0.1,
      log: { level: "warn", fields: { service: "berth-lab-registry" } },
      storage: {
        filesystem: { rootdirectory: "/var/lib/berth-lab/registry/data" },
        delete: { enabled: true },
        cache: { blobdescriptor: "inmemory" },
      },
      http: { addr: "0.0.0.0:5055", headers: { "X-Content-Type-Options": ["nosniff"] } },
    });
  });

  it("uses port 5055 unless BERTH_LAB_REGISTRY_PORT says otherwise", () => {
    withEnv("BERTH_LAB_REGISTRY_PORT", undefined, () => assert.equal(registryPort(), 5055));
    withEnv("BERTH_LAB_REGISTRY_PORT", "6000", () => assert.equal(registryPort(), 6000));
  });

  it("fails when BERTH_LAB_REGISTRY_PORT is not a port", () => {
    withEnv("BERTH_LAB_REGISTRY_PORT", "70000", () =>
      assert.throws(() => registryPort(), { message: "BERTH_LAB_REGISTRY_PORT=70000 is not a port number (1-65535)" }),
    );
  });
});

describe("lab: Docker-in-Docker nodes", () => {
  it("configures the nested dockerd: socket and TCP, TLS explicitly off, overlay2, the registry as insecure", () => {
    withEnv("BERTH_LAB_STORAGE_DRIVER", undefined, () =>
      assert.deepEqual(dockerdConfig({ insecureRegistries: ["172.23.0.1:5055"] }), {
        hosts: ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"],
        tls: false,
        "storage-driver": "overlay2",
        "insecure-registries": ["172.23.0.1:5055"],
      }),
    );
  });

  it("sets no-new-privileges daemon-wide when asked, as berth's swarm nodes must", () => {
    withEnv("BERTH_LAB_STORAGE_DRIVER", undefined, () =>
      assert.deepEqual(dockerdConfig({ insecureRegistries: [], noNewPrivileges: true }), {
        hosts: ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"],
        tls: false,
        "storage-driver": "overlay2",
        "insecure-registries": [],
        "no-new-privileges": true,
      }),
    );
  });

  it("takes the storage driver from the option, then BERTH_LAB_STORAGE_DRIVER", () => {
    withEnv("BERTH_LAB_STORAGE_DRIVER", "vfs", () => {
      assert.equal(dockerdConfig()["storage-driver"], "vfs");
      assert.equal(dockerdConfig({ storageDriver: "overlay2" })["storage-driver"], "overlay2");
    });
  });

  it("runs a node with every capability but SYS_RESOURCE, its data on a volume, its engine and forwarded ports on 127.0.0.1 only", () => {
    assert.deepEqual(dindHostConfig("n1-data", "lab-net", [41000]), {
      CapAdd: ["ALL"],
      CapDrop: ["SYS_RESOURCE"],
      SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
      MaskedPaths: [],
      ReadonlyPaths: [],
      Mounts: [{ Type: "volume", Source: "n1-data", Target: "/var/lib/docker" }],
      Tmpfs: { "/run": "rw,mode=755" },
      PortBindings: {
        "2375/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }],
        "41000/tcp": [{ HostIp: "127.0.0.1", HostPort: "41000" }],
      },
      NetworkMode: "lab-net",
      RestartPolicy: { Name: "no" },
    });
  });

  it("tags the image by its content and remounts /sys and cgroups read-write before dockerd starts", () => {
    assert.match(dindImageTag(), /^berth-lab\/dind:[0-9a-f]{16}$/);
    const lines = DIND_ENTRYPOINT.split("\n");
    const remount = lines.findIndex((l) => l.includes("mount -o remount,bind,rw"));
    const exec = lines.findIndex((l) => l.startsWith("exec dockerd --config-file /etc/docker/daemon.json"));
    assert.ok(remount > 0 && exec > remount, "cgroups are remounted before dockerd starts");
  });

  it("names a manager and numbered workers after the prefix, labelled with it", () => {
    assert.deepEqual(nodeNames("lab", 2), [
      { name: "lab-manager", role: "manager" },
      { name: "lab-worker-1", role: "worker" },
      { name: "lab-worker-2", role: "worker" },
    ]);
    assert.deepEqual(swarmLabels("lab"), { "berth.lab": "swarm", "berth.lab.prefix": "lab" });
  });

  it("fails when a prefix cannot be a host name, before asking the engine", async () => {
    await assert.rejects(checkPrefixFree({} as Docker, "Lab_1", "teardownSwarm"), {
      message: 'lab prefix "Lab_1": use 1-50 lowercase letters, digits and dashes, starting with a letter or digit',
    });
  });

  it("reads a non-TTY container log's frames", () => {
    const frame = (stream: number, text: string) => {
      const payload = Buffer.from(text);
      const header = Buffer.alloc(8);
      header.writeUInt8(stream, 0);
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    };
    assert.equal(
      demuxFrames(Buffer.concat([frame(1, "out line\n"), frame(2, `${"x".repeat(300)}\n`)])),
      `out line\n${"x".repeat(300)}\n`,
    );
  });
});
