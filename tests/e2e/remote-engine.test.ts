// One engine setting: berth's test stack with `berth:docker.host` set to a second, real engine
// (Docker-in-Docker reached over TCP, as a remote engine would be) comes up healthy there — its
// containers, its gates and its pids-limit steps all talking to that engine — and nothing of it
// touches the local engine, up or destroyed.
import assert from "node:assert/strict";
import Docker from "dockerode";
import { BerthOutputs, berthRequest, workersNetworkContainer } from "../../lab/berth-program";
import { dataImageUnavailable, ensureDataImage, ensureWorkloadImage } from "../../lab/images/e2e-images";
import { dindImageUnavailable } from "../../lab/images/dind-image";
import { nodeBaseImageUnavailable } from "../../lab/images/node-base-image";
import { copyImages, RemoteEngine, remoteClient, startRemoteEngine, stopRemoteEngine } from "../../lab/remote-engine";
import { EngineMode } from "../../testing/engine/engine-mode";
import { labelledObjects } from "../../testing/engine/stack-objects";
import { requireEngine, requireOfflineImages } from "../support/required-service";

const NOTHING = { containers: [], networks: [], volumes: [] };

describe("e2e: the test stack on a second engine named by berth:docker.host", function () {
  this.timeout(10 * 60_000);
  const local = new Docker();
  const mode = new EngineMode(local);
  const stack = `e2e-remote-${process.pid}`;
  let engine: RemoteEngine | undefined;
  let remote: Docker;
  let up: BerthOutputs;

  before(async function () {
    await requireEngine(this, local);
    await requireOfflineImages(
      this,
      "the offline images and the Docker-in-Docker node",
      dataImageUnavailable,
      nodeBaseImageUnavailable,
      dindImageUnavailable,
    );
    const data = ensureDataImage(() => undefined).tag;
    const app = ensureWorkloadImage(() => undefined).tag;
    engine = await startRemoteEngine({ forwardPorts: 3 });
    remote = remoteClient(engine);
    await copyImages(engine, [data, app]);
    const [postgres, redis, orchestrator] = engine.ports;
    const result = await mode.up<BerthOutputs>(
      berthRequest(stack, "test", {
        "berth:docker": { host: engine.engineHost },
        "berth:useAlpine": false,
        "berth:images": { postgres: data, redis: data, app },
        "berth:workers": { replicas: 1, namespaces: ["default"] },
        // Published inside the engine on 0.0.0.0, forwarded to 127.0.0.1 here, where gates probe.
        "berth:ports": { publish: "fixed", hostIp: "0.0.0.0", postgres, redis, orchestrator },
      }),
    );
    up = result.outputs;
  });
  after(async function () {
    await mode.destroy(stack).catch(() => undefined);
    if (engine) await stopRemoteEngine(engine);
  });

  it("creates every container and the network on that engine, and nothing on the local one", async function () {
    const names = [
      up.containerNames.postgres,
      up.containerNames.redis,
      up.containerNames.orchestrator,
      ...up.containerNames.workers,
      workersNetworkContainer(up)!,
    ].sort();
    assert.deepEqual(await labelledObjects(remote, stack), {
      containers: names,
      networks: [`berth-${stack}-net`],
      volumes: [],
    });
    assert.deepEqual(await labelledObjects(local, stack), NOTHING);
  });

  it("passes every gate against that engine, and applies the pids limit there", async function () {
    assert.deepEqual(
      Object.values(up.gateResults).map((g) => [g?.gate, g?.status]),
      [
        ["data", "passed"],
        ["orchestrator", "passed"],
        ["workers", "passed"],
      ],
    );
    const limited = [up.containerNames.postgres, up.containerNames.orchestrator, workersNetworkContainer(up)!];
    const limits = await Promise.all(
      limited.map(async (n) => (await remote.getContainer(n).inspect()).HostConfig.PidsLimit),
    );
    assert.deepEqual(limits, [256, 256, 256]);
  });

  it("destroys everything on that engine and leaves the local one untouched", async function () {
    await mode.destroy(stack);
    assert.deepEqual(await labelledObjects(remote, stack), NOTHING);
    assert.deepEqual(await labelledObjects(local, stack), NOTHING);
  });
});
