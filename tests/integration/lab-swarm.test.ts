// The lab's multi-engine infrastructure on the real engine: a three-node swarm of Docker-in-Docker
// nodes fed by the lab registry (lab/swarm.ts), and a second engine over TCP (lab/remote-engine.ts).
// The swarm e2e (issue 15) and the remote-engine proof (issue 12) build on exactly what this checks.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import Docker from "dockerode";
import { demuxFrames } from "../../gate/container-diagnostics";
import { LAB_PREFIX_LABEL, uniquePrefix } from "../../lab/dind-node";
import { ensureBusyboxImage } from "../../lab/images/busybox-image";
import { dindImageUnavailable } from "../../lab/images/dind-image";
import { registryUnavailable } from "../../lab/registry";
import {
  copyImages,
  remoteClient,
  remoteEngineLeftovers,
  startRemoteEngine,
  stopRemoteEngine,
  type RemoteEngine,
} from "../../lab/remote-engine";
import {
  drainNode,
  hostLeftovers,
  managerClient,
  nodeClients,
  pushToSwarm,
  serviceTasks,
  setNodeAvailability,
  startNode,
  startSwarm,
  stopNode,
  swarmLeftovers,
  swarmNodes,
  teardownSwarm,
  waitForNodeState,
  type LabSwarm,
  type TaskRow,
} from "../../lab/swarm";
import { requireService, SERVICES_HINT } from "../support/required-service";
import { pollUntil } from "../support/poll";

/** The lab needs the engine, root + debootstrap (or the cached DinD image) and docker-registry. */
async function labPrerequisites(): Promise<void> {
  await new Docker().ping();
  const missing = dindImageUnavailable() ?? registryUnavailable();
  if (missing) throw new Error(missing);
}

/** A main process that exits on SIGTERM (a plain `sleep` as pid 1 ignores it: 10 s per task stop). */
const idle = (before = "") => ["sh", "-c", `${before}trap 'exit 0' TERM; sleep 3600 & wait`];
const running = (tasks: TaskRow[]) => tasks.filter((t) => t.desiredState === "running" && t.state === "running");
const countBy = (tasks: TaskRow[]) =>
  tasks.reduce<Record<string, number>>((acc, t) => ({ ...acc, [t.node]: (acc[t.node] ?? 0) + 1 }), {});
const slotsOn = (tasks: TaskRow[], node: string) =>
  tasks
    .filter((t) => t.node === node)
    .map((t) => t.slot)
    .sort();

describe("lab: a three-node swarm of Docker-in-Docker engines", function () {
  const prefix = uniquePrefix("swarmtest");
  const manager = `${prefix}-manager`;
  const worker1 = `${prefix}-worker-1`;
  const worker2 = `${prefix}-worker-2`;
  let swarm: LabSwarm | undefined;
  let image = "";
  this.timeout(120_000);

  before(async function () {
    this.timeout(600_000); // a cold DinD image build is about 40 s, a slow mirror much longer
    await requireService(
      this,
      "the lab swarm (Docker engine, DinD image, docker-registry)",
      labPrerequisites,
      SERVICES_HINT,
    );
    swarm = await startSwarm({ prefix, managerPorts: 1, log: (line) => console.log(`      ${line}`) });
    image = await pushToSwarm(swarm, ensureBusyboxImage());
  });

  after(async function () {
    // Runs even when a test failed half-way; the last test tears down itself and checks it.
    if (swarm) await teardownSwarm(prefix);
  });

  const s = () => swarm!;
  const createService = (name: string, replicas: number, extra: { command: string[]; networks?: string[] }) =>
    managerClient(s()).createService({
      Name: name,
      TaskTemplate: {
        ContainerSpec: { Image: image, Command: extra.command },
        Placement: { Constraints: ["node.role==worker"] },
        Networks: (extra.networks ?? []).map((target) => ({ Target: target })),
        // Replacement tasks start at once (the default waits 5 s), so a drain or failover is quick.
        RestartPolicy: { Condition: "on-failure", MaxAttempts: 3, Delay: 0 },
      },
      Mode: { Replicated: { Replicas: replicas } },
      // No IPVS in these kernels: no virtual IP, DNS round robin.
      EndpointSpec: { Mode: "dnsrr" },
    });
  const removeService = async (name: string) => {
    await managerClient(s()).getService(name).remove();
    const tasks = () =>
      Promise.all(
        nodeClients(s()).map(({ docker }) =>
          docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.name=${name}`] } }),
        ),
      );
    await pollUntil(`containers of ${name} gone from every node`, tasks, (perNode) =>
      perNode.every((list) => list.length === 0),
    );
  };

  it("fails when the prefix is in use, and leaves the running swarm alone", async () => {
    await assert.rejects(startSwarm({ prefix }), (err: Error) =>
      err.message.startsWith(`lab objects with prefix ${prefix} already exist (${manager}, `),
    );
    assert.equal((await swarmNodes(s())).length, 3);
  });

  it("has exactly one manager and two workers, all Ready and active", async () => {
    const rows = (await swarmNodes(s())).map(({ name, role, state, availability }) => ({
      name,
      role,
      state,
      availability,
    }));
    assert.deepEqual(rows, [
      { name: manager, role: "manager", state: "ready", availability: "active" },
      { name: worker1, role: "worker", state: "ready", availability: "active" },
      { name: worker2, role: "worker", state: "ready", availability: "active" },
    ]);
    assert.deepEqual(
      s().nodes.map((n) => [n.name, n.role]),
      [
        [manager, "manager"],
        [worker1, "worker"],
        [worker2, "worker"],
      ],
    );
    assert.equal(s().managerHost, s().nodes[0]!.engineHost);
  });

  it("reaches every node's own engine over TCP on 127.0.0.1, each a member of the swarm", async () => {
    for (const { node, docker } of nodeClients(s())) {
      assert.match(node.engineHost, /^tcp:\/\/127\.0\.0\.1:\d+$/);
      const info = (await docker.info()) as {
        Name: string;
        Swarm: { NodeID: string; LocalNodeState: string; ControlAvailable: boolean };
        RegistryConfig: { IndexConfigs: Record<string, { Secure: boolean }> };
      };
      assert.deepEqual(
        {
          name: info.Name,
          nodeId: info.Swarm.NodeID,
          state: info.Swarm.LocalNodeState,
          control: info.Swarm.ControlAvailable,
          registrySecure: info.RegistryConfig.IndexConfigs[s().registry.nodeAddress]?.Secure,
        },
        {
          name: node.name,
          nodeId: node.nodeId,
          state: "active",
          control: node.role === "manager",
          registrySecure: false,
        },
      );
    }
  });

  it("serves the docker CLI with DOCKER_HOST set to the manager, as berth:docker.host would", async () => {
    const { stdout } = await promisify(execFile)(
      "docker",
      ["node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}}"],
      {
        env: { ...process.env, DOCKER_HOST: s().managerHost },
      },
    );
    assert.deepEqual(
      stdout
        .trim()
        .split("\n")
        .map((line) => line.trimEnd())
        .sort(),
      [`${manager} Leader`, worker1, worker2],
    );
  });

  it("spreads 4 replicas over both workers, and moves a drained worker's tasks to the other", async () => {
    await createService("lab-spread", 4, { command: idle() });
    const spread = running(
      await pollUntil(
        "4 running tasks",
        () => serviceTasks(s(), "lab-spread"),
        (t) => running(t).length === 4,
      ),
    );
    assert.deepEqual(countBy(spread), { [worker1]: 2, [worker2]: 2 });
    const movedSlots = slotsOn(spread, worker1);

    await drainNode(s(), worker1);
    const after = running(
      await pollUntil(
        "4 running tasks, all on worker 2",
        () => serviceTasks(s(), "lab-spread"),
        (t) => running(t).length === 4 && running(t).every((r) => r.node === worker2),
      ),
    );
    assert.deepEqual(countBy(after), { [worker2]: 4 });
    // Swarm replaces a task in its slot: the drained worker's slots now run on the other worker.
    assert.deepEqual(slotsOn(after, worker2), [1, 2, 3, 4]);
    assert.equal(movedSlots.length, 2);
    assert.equal((await swarmNodes(s())).find((n) => n.name === worker1)?.availability, "drain");
    // The drained node's own engine stopped its containers.
    const drained = nodeClients(s()).find((c) => c.node.name === worker1)!.docker;
    await pollUntil(
      "no running container on the drained worker",
      () => drained.listContainers(),
      (list) => list.length === 0,
    );

    await setNodeAvailability(s(), worker1, "active");
    await removeService("lab-spread");
  });

  it("reschedules the tasks of a stopped worker on the other, and takes the worker back", async () => {
    await createService("lab-failover", 4, { command: idle() });
    const spread = running(
      await pollUntil(
        "4 running tasks",
        () => serviceTasks(s(), "lab-failover"),
        (t) => running(t).length === 4,
      ),
    );
    assert.deepEqual(countBy(spread), { [worker1]: 2, [worker2]: 2 });

    const killed = Date.now();
    await stopNode(s(), worker2);
    assert.equal((await waitForNodeState(s(), worker2, "down")).state, "down");
    const down = (Date.now() - killed) / 1000;
    const after = running(
      await pollUntil(
        "4 running tasks on worker 1",
        () => serviceTasks(s(), "lab-failover"),
        (t) => running(t).length === 4 && running(t).every((r) => r.node === worker1),
      ),
    );
    console.log(
      `      failover: worker down after ${down.toFixed(1)} s, its tasks running on the other after ${((Date.now() - killed) / 1000).toFixed(1)} s`,
    );
    assert.deepEqual(slotsOn(after, worker1), [1, 2, 3, 4]);

    const back = await startNode(s(), worker2);
    assert.match(back.engineHost, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await swarmNodes(s())).find((n) => n.name === worker2)?.state, "ready");
    await removeService("lab-failover");
  });

  it("joins a task on a worker and a container on the manager in one overlay network, by name", async () => {
    const managerEngine = managerClient(s());
    await managerEngine.createNetwork({ Name: "lab-overlay", Driver: "overlay", Attachable: true });
    const pull = await managerEngine.pull(image);
    await new Promise((resolve, reject) =>
      managerEngine.modem.followProgress(pull, (err: Error | null) => (err ? reject(err) : resolve(undefined))),
    );
    const web = await managerEngine.createContainer({
      name: "lab-web",
      Image: image,
      Cmd: [
        "sh",
        "-c",
        "mkdir -p /tmp/www && echo overlay-ok > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www",
      ],
      ExposedPorts: { "8080/tcp": {} },
      // Published on the manager on 0.0.0.0, at the port the host forwards to it.
      HostConfig: {
        NetworkMode: "lab-overlay",
        PortBindings: { "8080/tcp": [{ HostIp: "0.0.0.0", HostPort: String(s().managerPorts[0]) }] },
      },
    });
    await web.start();
    try {
      const fromHost = await pollUntil(
        "the manager's published port from the host",
        () =>
          fetch(`http://127.0.0.1:${s().managerPorts[0]}/`).then(
            (r) => r.text(),
            (e: Error) => e.message,
          ),
        (text) => text === "overlay-ok\n",
        10_000,
      );
      assert.equal(fromHost, "overlay-ok\n");
      await createService("lab-client", 1, {
        command: idle("until wget -qO- http://lab-web:8080/; do sleep 0.2; done; "),
        networks: ["lab-overlay"],
      });
      const [task] = running(
        await pollUntil(
          "the client task running",
          () => serviceTasks(s(), "lab-client"),
          (t) => running(t).length === 1,
        ),
      );
      assert.notEqual(task!.node, manager);
      const engine = nodeClients(s()).find((c) => c.node.name === task!.node)!.docker;
      const output = await pollUntil(
        "the client's fetch through the overlay",
        async () => {
          const [container] = await engine.listContainers({
            filters: { label: ["com.docker.swarm.service.name=lab-client"] },
          });
          return container
            ? demuxFrames(
                (await engine.getContainer(container.Id).logs({ stdout: true, stderr: true })) as unknown as Buffer,
              )
            : "";
        },
        (text) => text.includes("overlay-ok"),
      );
      assert.equal(output.trim(), "overlay-ok");
      await removeService("lab-client");
    } finally {
      await web.remove({ force: true });
    }
    await managerEngine.getNetwork("lab-overlay").remove();
  });

  it("leaves no container, network, volume, service, secret or config on any node", async () => {
    // A worker forgets an overlay network a moment after its last task on it is gone.
    const leftovers = await pollUntil(
      "nothing left on any node",
      () => swarmLeftovers(s()),
      (nodes) =>
        nodes.every((n) =>
          [n.containers, n.networks, n.volumes, n.services, n.secrets, n.configs].every((list) => list.length === 0),
        ),
    );
    assert.deepEqual(
      leftovers,
      [manager, worker1, worker2].map((node) => ({
        node,
        containers: [],
        networks: [],
        volumes: [],
        services: [],
        secrets: [],
        configs: [],
      })),
    );
  });

  it("tears down every node, volume and network it made on the host engine", async () => {
    const removed = await teardownSwarm(s());
    swarm = undefined;
    assert.deepEqual(
      { containers: removed.containers, volumes: removed.volumes, networks: removed.networks },
      {
        containers: [manager, worker1, worker2],
        volumes: [`${manager}-data`, `${worker1}-data`, `${worker2}-data`],
        networks: [prefix],
      },
    );
    console.log(`      teardown: ${removed.seconds} s`);
    assert.deepEqual(await hostLeftovers(prefix), { containers: [], volumes: [], networks: [] });
    // By name too, in case a label were ever lost.
    const host = new Docker();
    const named = (await host.listContainers({ all: true })).flatMap((c) => c.Names).filter((n) => n.includes(prefix));
    assert.deepEqual(named, []);
    const volumes = ((await host.listVolumes()).Volumes ?? []).map((v) => v.Name).filter((n) => n.includes(prefix));
    assert.deepEqual(volumes, []);
    assert.deepEqual(
      (await host.listNetworks()).map((n) => n.Name).filter((n) => n.includes(prefix)),
      [],
    );
  });
});

describe("lab: a swarm that cannot start", function () {
  this.timeout(120_000);

  it("fails when a node's engine does not start, naming the cause, and leaves nothing behind", async function () {
    await requireService(
      this,
      "the lab swarm (Docker engine, DinD image, docker-registry)",
      labPrerequisites,
      SERVICES_HINT,
    );
    const prefix = uniquePrefix("swarmfail");
    await assert.rejects(startSwarm({ prefix, workers: 1, storageDriver: "no-such-driver" }), (err: Error) => {
      assert.match(
        err.message,
        new RegExp(
          `^starting lab swarm ${prefix} failed \\(everything it created was removed\\): the engine in DinD node ${prefix}-(manager|worker-1) exited`,
        ),
      );
      assert.match(err.message, /set BERTH_LAB_STORAGE_DRIVER=vfs/);
      assert.match(err.message, /no-such-driver/);
      return true;
    });
    assert.deepEqual(await hostLeftovers(prefix), { containers: [], volumes: [], networks: [] });
  });
});

describe("lab: a second engine over TCP", function () {
  const prefix = uniquePrefix("remotetest");
  const probe = `${prefix}-probe`;
  let engine: RemoteEngine | undefined;
  this.timeout(120_000);

  before(async function () {
    this.timeout(600_000);
    await requireService(
      this,
      "the lab remote engine (Docker engine, DinD image, docker-registry)",
      labPrerequisites,
      SERVICES_HINT,
    );
    engine = await startRemoteEngine({ prefix, forwardPorts: 1, log: (line) => console.log(`      ${line}`) });
  });

  after(async function () {
    if (engine) await stopRemoteEngine(prefix);
  });

  it("runs a container there that the local engine never sees", async () => {
    const busybox = ensureBusyboxImage();
    await copyImages(engine!, [busybox]);
    const remote = remoteClient(engine!);
    const local = new Docker();
    assert.notEqual(((await remote.info()) as { ID: string }).ID, ((await local.info()) as { ID: string }).ID);
    const container = await remote.createContainer({
      name: probe,
      Image: busybox,
      Cmd: ["echo", "hello from the remote engine"],
      Labels: { [LAB_PREFIX_LABEL]: prefix },
    });
    await container.start();
    assert.equal(((await container.wait()) as { StatusCode: number }).StatusCode, 0);
    assert.equal(
      demuxFrames((await container.logs({ stdout: true })) as unknown as Buffer),
      "hello from the remote engine\n",
    );
    assert.equal((await remote.getContainer(probe).inspect()).Name, `/${probe}`);
    await assert.rejects(local.getContainer(probe).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
    // On the host engine, the only object with this prefix's label is the engine's own container.
    assert.deepEqual(
      (await local.listContainers({ all: true, filters: { label: [`${LAB_PREFIX_LABEL}=${prefix}`] } })).map(
        (c) => c.Names[0],
      ),
      [`/${prefix}-engine`],
    );
  });

  it("forwards a port: a container published there on 0.0.0.0 answers on the host's 127.0.0.1", async () => {
    const remote = remoteClient(engine!);
    const port = engine!.ports[0]!;
    const web = await remote.createContainer({
      name: `${prefix}-web`,
      Image: ensureBusyboxImage(),
      Cmd: [
        "sh",
        "-c",
        "mkdir -p /tmp/www && echo remote-ok > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www",
      ],
      ExposedPorts: { "8080/tcp": {} },
      HostConfig: { PortBindings: { "8080/tcp": [{ HostIp: "0.0.0.0", HostPort: String(port) }] } },
    });
    await web.start();
    const text = await pollUntil(
      "the forwarded port",
      () =>
        fetch(`http://127.0.0.1:${port}/`).then(
          (r) => r.text(),
          (e: Error) => e.message,
        ),
      (t) => t === "remote-ok\n",
      10_000,
    );
    assert.equal(text, "remote-ok\n");
    await web.remove({ force: true });
  });

  it("tears down its container, volume and network from the host engine", async () => {
    const removed = await stopRemoteEngine(engine!);
    engine = undefined;
    assert.deepEqual(
      { containers: removed.containers, volumes: removed.volumes, networks: removed.networks },
      { containers: [`${prefix}-engine`], volumes: [`${prefix}-engine-data`], networks: [prefix] },
    );
    assert.deepEqual(await remoteEngineLeftovers(prefix), { containers: [], volumes: [], networks: [] });
  });
});
