// A second Docker engine on this machine, reached only over TCP on 127.0.0.1, for proving that a
// stack comes up on the engine `berth:docker.host` names and that nothing of it touches the local
// engine (issue 12). It is one Docker-in-Docker node (dind-node.ts) on a bridge network of its own.
// It starts empty: copy images into it with copyImages() (same tags as on the host engine, so a
// stack's `berth:images.*` stay as they are), or push them through the lab registry with
// pushToEngine(). Everything on the host engine carries berth.lab.prefix=<prefix>;
// stopRemoteEngine() removes it all, images and containers inside the engine with it.
import Docker from "dockerode";
import { ensureDindImage } from "./images/dind-image";
import {
  checkPrefixFree,
  createDindNode,
  createLabNetwork,
  engineClient,
  freePorts,
  LAB_LABEL,
  LAB_PREFIX_LABEL,
  listLabObjects,
  removeLabObjects,
  uniquePrefix,
  waitForEngine,
  type LabObjects,
} from "./dind-node";
import { ensureRegistry, imageRefAt, pushImage, registryAddressFor } from "./registry";

export interface RemoteEngine {
  prefix: string;
  /** The container that runs the engine (on the host engine). */
  name: string;
  /** tcp://127.0.0.1:<port>: what DOCKER_HOST or `berth:docker.host` is set to. */
  engineHost: string;
  network: string;
  /** Where this engine pulls from the lab registry (<network gateway>:<port>). */
  registryAddress: string;
  /**
   * Ports forwarded from 127.0.0.1:<port> on the host to the same port in the engine: publish a
   * container there on 0.0.0.0 (e.g. `berth:ports.publish: fixed` with `ports.hostIp: 0.0.0.0`)
   * and the host reaches it at 127.0.0.1:<port>, as berth's gates and hostUrls expect.
   */
  ports: number[];
  /** Seconds: the DinD image (0 when cached) and the whole start. */
  timings: { image: number; total: number; imageBuilt: boolean };
}

export interface StartRemoteEngineOptions {
  /** @default - berth-remote-<pid>-<random> */
  prefix?: string;
  /** @default - BERTH_LAB_STORAGE_DRIVER, else overlay2 */
  storageDriver?: string;
  /** @default 90000 */
  timeoutMs?: number;
  /** How many ports to forward from the host into the engine (RemoteEngine.ports). @default 0 */
  forwardPorts?: number;
  log?: (line: string) => void;
}

/** Starts the engine and waits until it answers; on failure removes everything it created. */
export async function startRemoteEngine(options: StartRemoteEngineOptions = {}): Promise<RemoteEngine> {
  const started = Date.now();
  const prefix = options.prefix ?? uniquePrefix("remote");
  const host = new Docker();
  await checkPrefixFree(host, prefix, "stopRemoteEngine");
  const image = ensureDindImage(options.log);
  const imageSeconds = (Date.now() - started) / 1000;
  try {
    const registry = await ensureRegistry(options.log);
    const labels = { [LAB_LABEL]: "remote-engine", [LAB_PREFIX_LABEL]: prefix };
    const gateway = await createLabNetwork(host, prefix, labels);
    const registryAddress = registryAddressFor(registry, gateway);
    const ports = await freePorts(options.forwardPorts ?? 0);
    const node = await createDindNode(host, {
      name: `${prefix}-engine`,
      image: image.tag,
      network: prefix,
      labels,
      daemon: { insecureRegistries: [registryAddress], storageDriver: options.storageDriver },
      forwardPorts: ports,
    });
    await waitForEngine(host, node, options.timeoutMs ?? 90_000);
    const total = (Date.now() - started) / 1000;
    options.log?.(`remote engine ${node.name}: ${node.engineHost} up in ${total.toFixed(1)} s`);
    return {
      prefix,
      name: node.name,
      engineHost: node.engineHost,
      network: prefix,
      registryAddress,
      ports,
      timings: { image: imageSeconds, total, imageBuilt: image.built },
    };
  } catch (error) {
    const cleanup = await removeLabObjects(host, prefix).then(
      () => "everything it created was removed",
      (e: Error) => `and its teardown failed too: ${e.message}`,
    );
    throw new Error(`starting remote engine ${prefix} failed (${cleanup}): ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** A dockerode client for the remote engine. */
export function remoteClient(engine: Pick<RemoteEngine, "engineHost">): Docker {
  return engineClient(engine.engineHost);
}

interface LoadEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Copies images from the host engine into the remote one (`docker save | docker load`), tags kept. */
export async function copyImages(engine: Pick<RemoteEngine, "engineHost">, images: string[]): Promise<void> {
  if (images.length === 0) return;
  const remote = remoteClient(engine);
  // One save for all images, so shared layers travel once (dockerode has getImages; its types lack it).
  const host = new Docker() as Docker & { getImages(opts: { names: string[] }): Promise<NodeJS.ReadableStream> };
  const saved = await host.getImages({ names: images });
  const response = await remote.loadImage(saved, { quiet: true });
  const events = await new Promise<LoadEvent[]>((resolve, reject) =>
    remote.modem.followProgress(response, (err: Error | null, out: LoadEvent[]) => (err ? reject(err) : resolve(out))),
  );
  const failed = events.find((e) => e.error ?? e.errorDetail);
  if (failed)
    throw new Error(
      `loading ${images.join(", ")} into ${engine.engineHost} failed: ${failed.error ?? failed.errorDetail?.message}`,
    );
  const missing: string[] = [];
  for (const image of images)
    await remote
      .getImage(image)
      .inspect()
      .catch(() => missing.push(image));
  if (missing.length > 0) throw new Error(`after loading, ${engine.engineHost} still lacks ${missing.join(", ")}`);
}

/** Pushes a host-engine image into the lab registry; returns the reference this engine pulls. */
export async function pushToEngine(engine: Pick<RemoteEngine, "registryAddress">, localImage: string): Promise<string> {
  return imageRefAt(await pushImage(await ensureRegistry(), localImage), engine.registryAddress);
}

/** Host-engine objects still carrying this engine's prefix (empty after stopRemoteEngine). */
export function remoteEngineLeftovers(prefix: string): Promise<LabObjects> {
  return listLabObjects(new Docker(), prefix);
}

/** Removes the engine's container, volume and network from the host engine; returns what it removed. */
export async function stopRemoteEngine(
  engine: Pick<RemoteEngine, "prefix"> | string,
): Promise<LabObjects & { seconds: number }> {
  const started = Date.now();
  const removed = await removeLabObjects(new Docker(), typeof engine === "string" ? engine : engine.prefix);
  return { ...removed, seconds: Math.round((Date.now() - started) / 100) / 10 };
}
