// What engine mode does for each resource type berth registers: create on the real engine (or
// run the command) and return the state the provider would; delete on destroy. A type that is not
// here fails the up with a clear message rather than being faked.
import { spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { readdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import Docker from "dockerode";
import { LABELS } from "../../components/contract";
import { PARENT_PID_VARIABLE } from "../../gate/process-exit";
import type { StackRef } from "../client/stack-containers";
import { topInputs, UpdateEffects } from "./convergence";
import { CONTAINER_UPDATE_INPUTS, containerCreateCall, containerUpdateBody, publishedPorts } from "./container-spec";
import { imageBuildCall, ImageInputs } from "./image-spec";
import { networkCreateOptions } from "./network-spec";
import { removalWaitSeconds, serviceCreateSpec } from "./service-spec";

export type Inputs = Record<string, any>;

export interface Made {
  id: string;
  state: Record<string, any>;
}

export interface Recorded {
  id: string;
  inputs: Inputs;
  state: Record<string, any>;
}

export interface ApplyContext {
  docker: Docker;
  /** Directory commands run in: where the program ran, as `pulumi up` runs both in the project dir. */
  cwd: string;
  /** Records an engine object as soon as it exists, so destroy finds it even if a later step fails. */
  made(id: string): void;
  /** The stack being brought up: an object of its name left by a dead run of it is replaced, not collided with. */
  owner: StackRef;
  /** Aborted when the up is cancelled (Ctrl-C): a running command is killed. */
  signal?: AbortSignal;
}

export interface Applier {
  create(inputs: Inputs, ctx: ApplyContext): Promise<Made>;
  delete(r: Recorded, docker: Docker): Promise<void>;
  /**
   * Changes the live object in place, keeping its id, for an update whose `effects` say what each
   * changed input path does (convergence.ts); returns the new state. A type without it has no
   * input the provider applies or re-runs in place: its updates are only recorded.
   */
  update?(prev: Recorded, inputs: Inputs, effects: UpdateEffects, ctx: ApplyContext): Promise<Made>;
}

// A swarm manager answers 500 "network … not found" for an overlay network its control plane is
// already removing (the service that used it was just removed): gone all the same.
const gone = (err: any) =>
  err?.statusCode === 404 ||
  (err?.statusCode === 500 && /\bnot found\b/.test(String(err?.json?.message ?? err?.message ?? "")));
export const ignoreGone = (err: any): void => {
  if (!gone(err)) throw err;
};

export interface ShellRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `/bin/sh -c script`, as the command provider's default interpreter. The shell leads a process
 * group of its own, so an abort (a cancelled up) ends it and whatever it started.
 */
export function runShell(
  script: string,
  env: Record<string, string>,
  cwd: string,
  signal?: AbortSignal,
): Promise<ShellRun> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error("cancelled before it started"));
    const child = spawn("/bin/sh", ["-c", script], {
      cwd,
      env: { ...process.env, ...env, [PARENT_PID_VARIABLE]: String(process.pid) },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    signal?.addEventListener("abort", kill, { once: true });
    child.on("close", () => signal?.removeEventListener("abort", kill));
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const COMMAND_INPUTS = new Set(["create", "update", "delete", "environment", "triggers", "logging", "dir"]);

/** Runs `script` as the provider runs a command's create or update: its state, or an error with its output. */
async function runCommand(script: string | undefined, inputs: Inputs, ctx: ApplyContext): Promise<Record<string, any>> {
  const unknown = Object.keys(inputs).filter((k) => inputs[k] !== undefined && !COMMAND_INPUTS.has(k));
  if (unknown.length > 0)
    throw new Error(`engine mode does not implement Command inputs: ${unknown.sort().join(", ")}`);
  if (!script) return { ...inputs, stdout: "", stderr: "" };
  const run = await runShell(script, inputs.environment ?? {}, inputs.dir ?? ctx.cwd, ctx.signal);
  if (ctx.signal?.aborted) throw new Error("cancelled (the up was interrupted)");
  // `pulumi up` fails with the command's output; the gate's report (service, logs) is on stderr.
  if (run.code !== 0) throw new Error(`command exited ${run.code}: ${script}\n${run.stderr}`);
  // The provider trims the trailing newline of both streams.
  return { ...inputs, stdout: run.stdout.replace(/\n$/, ""), stderr: run.stderr.replace(/\n$/, "") };
}

const command: Applier = {
  async create(inputs, ctx) {
    return { id: `cmd-${randomInt(1e9)}`, state: await runCommand(inputs.create, inputs, ctx) };
  },
  // As the provider's Update: `update`, else `create` again, whatever input changed.
  async update(prev, inputs, _effects, ctx) {
    return { id: prev.id, state: await runCommand(inputs.update ?? inputs.create, inputs, ctx) };
  },
  async delete(r) {
    if (!r.inputs.delete) return;
    const run = await runShell(r.inputs.delete, r.inputs.environment ?? {}, r.inputs.dir ?? process.cwd());
    if (run.code !== 0) throw new Error(`delete command exited ${run.code}: ${r.inputs.delete}\n${run.stderr}`);
  },
};

const CHARSETS = {
  lower: "abcdefghijklmnopqrstuvwxyz",
  upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  numeric: "0123456789",
  special: "!@#$%&*()-_=+[]{}<>:?",
};

const randomPassword: Applier = {
  async create(inputs) {
    const chars = (Object.keys(CHARSETS) as (keyof typeof CHARSETS)[])
      .filter((set) => inputs[set] !== false)
      .map((set) => (set === "special" && inputs.overrideSpecial ? inputs.overrideSpecial : CHARSETS[set]))
      .join("");
    const result = Array.from({ length: inputs.length }, () => chars[randomInt(chars.length)]).join("");
    return { id: "none", state: { ...inputs, result } };
  },
  async delete() {},
};

interface ProgressEvent {
  error?: string;
  stream?: string;
}

/** The events of a pull or build stream; rejects with the first error the engine reported. */
function follow(docker: Docker, stream: NodeJS.ReadableStream): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, events: ProgressEvent[]) => {
      const failed = err?.message ?? events.find((e) => e.error)?.error;
      if (failed) reject(Object.assign(new Error(failed), { events }));
      else resolve(events);
    }),
  );
}

/** Pulls `ref` through the engine, as the provider does for an image it does not have. */
async function pull(docker: Docker, ref: string): Promise<void> {
  await follow(docker, await docker.pull(ref));
}

/** The repository of a reference, without tag or digest: "host:5000/team/app:1" → "host:5000/team/app". */
const repositoryOf = (ref: string) => ref.replace(/@.*$/, "").replace(/:[^/:]+$/, "");

const remoteImage: Applier = {
  async create(inputs, ctx) {
    // Only registries on this machine are reachable (the lab's): an image that is neither on the
    // engine nor pullable from one fails with both reasons.
    const inspect = () => ctx.docker.getImage(inputs.name).inspect();
    let info = await inspect().catch((err) => (gone(err) ? undefined : Promise.reject(err)));
    if (!info) {
      await pull(ctx.docker, inputs.name).catch((err: Error) => {
        throw new Error(
          `image ${inputs.name} is not on the engine and pulling it failed (${err.message}); build or load it first, or push it to a registry the engine reaches`,
        );
      });
      info = await inspect();
    }
    // The provider's repo_digest: the digest of the repository the image was asked by.
    const digests: string[] = info.RepoDigests ?? [];
    const repoDigest = digests.find((d) => d.startsWith(`${repositoryOf(inputs.name)}@`)) ?? digests[0] ?? "";
    return { id: `${info.Id}${inputs.name}`, state: { ...inputs, imageId: info.Id, repoDigest } };
  },
  async delete(r, docker) {
    if (r.inputs.keepLocally) return;
    await docker.getImage(r.state.imageId).remove().catch(ignoreGone);
  },
};

const image: Applier = {
  async create(inputs, ctx) {
    const call = imageBuildCall(inputs as ImageInputs, ctx.cwd);
    // dockerode tars the listed entries of the context, minus what .dockerignore excludes.
    const stream = await ctx.docker.buildImage({ context: call.context, src: readdirSync(call.context) }, call.options);
    await follow(ctx.docker, stream).catch((err: Error & { events?: ProgressEvent[] }) => {
      const log = (err.events ?? [])
        .map((e) => e.stream ?? "")
        .join("")
        .trimEnd()
        .split("\n")
        .slice(-20)
        .join("\n");
      throw new Error(`building ${inputs.imageName} from ${call.context} failed: ${err.message}\n${log}`);
    });
    // The provider's repoDigest for an image it does not push: the built image's id.
    const info = await ctx.docker.getImage(inputs.imageName).inspect();
    return { id: inputs.imageName, state: { ...inputs, ...call.state, repoDigest: info.Id } };
  },
  // As the provider's Update: build again; the resource keeps its id.
  async update(prev, inputs, _effects, ctx) {
    return { id: prev.id, state: (await image.create(inputs, ctx)).state };
  },
  // As the provider: destroy leaves a built image on the engine (its docs: "does not delete tags").
  async delete() {},
};

/**
 * Runs `create`; when the engine answers that the name is taken (409) by an object carrying the
 * owner stack's labels — what a killed run of this stack left before recording it — removes that
 * one and creates again. A name held by anything else is an error that says whose it is.
 */
async function createOwned<T>(
  what: { kind: "container" | "network"; name: string },
  ctx: ApplyContext,
  create: () => Promise<T>,
  holder: () => Promise<{ labels: Record<string, string> | undefined; remove(): Promise<void> }>,
): Promise<T> {
  try {
    return await create();
  } catch (err: any) {
    if (err?.statusCode !== 409) throw err;
    const found = await holder();
    const labels = found.labels ?? {};
    if (labels[LABELS.project] !== ctx.owner.project || labels[LABELS.stack] !== ctx.owner.stack) {
      const whose =
        labels[LABELS.stack] === undefined
          ? "no berth stack (no berth.stack label)"
          : `stack ${labels[LABELS.project] ?? "?"}/${labels[LABELS.stack]}`;
      throw new Error(
        `a ${what.kind} named ${what.name} already exists and belongs to ${whose}, not to ${ctx.owner.project}/${ctx.owner.stack}: remove it (docker ${what.kind} rm ${what.name}) or give this stack another name`,
        { cause: err },
      );
    }
    await found.remove();
    return create();
  }
}

const network: Applier = {
  async create(inputs, ctx) {
    const make = () => ctx.docker.createNetwork(networkCreateOptions(inputs));
    const n = await createOwned({ kind: "network", name: inputs.name }, ctx, make, async () => {
      const left = ctx.docker.getNetwork(inputs.name);
      const info = await left.inspect();
      return {
        labels: info.Labels,
        // Its containers first: a network with endpoints cannot be removed.
        remove: async () => {
          await Promise.all(
            Object.keys(info.Containers ?? {}).map((id) =>
              ctx.docker.getContainer(id).remove({ force: true, v: true }).catch(ignoreGone),
            ),
          );
          await left.remove().catch(ignoreGone);
        },
      };
    });
    return { id: n.id, state: { ...inputs, name: inputs.name } };
  },
  async delete(r, docker) {
    await docker.getNetwork(r.id).remove().catch(ignoreGone);
  },
};

const volume: Applier = {
  async create(inputs, ctx) {
    const labels = Object.fromEntries(
      (inputs.labels ?? []).map((l: { label: string; value: string }) => [l.label, l.value]),
    );
    await ctx.docker.createVolume({ Name: inputs.name, Driver: inputs.driver ?? "local", Labels: labels });
    const info = await ctx.docker.getVolume(inputs.name).inspect();
    return { id: info.Name, state: { ...inputs, name: info.Name, mountpoint: info.Mountpoint } };
  },
  async delete(r, docker) {
    await docker.getVolume(r.id).remove().catch(ignoreGone);
  },
};

const container: Applier = {
  async create(inputs, ctx) {
    const call = containerCreateCall(inputs as { name: string; image: string });
    const make = () =>
      ctx.docker.createContainer(call.options).catch((err) => {
        // The engine's answer ("no such container - No such image") names neither.
        if (err?.statusCode === 404 && /no such image/i.test(String(err?.json?.message ?? err?.message))) {
          throw new Error(
            `container ${inputs.name}: image ${inputs.image} is not on the engine: build or load it there, or push it to a registry the engine reaches and declare it as a docker.RemoteImage (a container does not pull its image)`,
          );
        }
        throw err;
      });
    const c = await createOwned({ kind: "container", name: inputs.name }, ctx, make, async () => {
      const left = ctx.docker.getContainer(inputs.name);
      return {
        labels: (await left.inspect()).Config.Labels,
        remove: () => left.remove({ force: true, v: true }).catch(ignoreGone),
      };
    });
    ctx.made(c.id);
    if (call.start) await c.start();
    const info = await c.inspect();
    // The provider fails a must-run container that is not running after start.
    if (call.start && inputs.mustRun !== false && !info.State.Running && !info.State.Restarting) {
      throw new Error(
        `container ${inputs.name} is ${info.State.Status} right after start (exit code ${info.State.ExitCode})`,
      );
    }
    const networks = Object.entries(info.NetworkSettings.Networks ?? {}).map(([networkName, n]) => ({
      networkName,
      ipAddress: n.IPAddress,
      gateway: n.Gateway,
      macAddress: n.MacAddress,
    }));
    return {
      id: c.id,
      state: {
        ...inputs,
        name: info.Name.replace(/^\//, ""),
        ports: publishedPorts(inputs.ports ?? [], info.NetworkSettings.Ports),
        networkDatas: networks,
      },
    };
  },
  // As the provider's Update: memory, swap and restart policy through ContainerUpdate; a container
  // whose mustRun turns true is started; every other updatable input is only recorded.
  async update(prev, inputs, effects, ctx) {
    const c = ctx.docker.getContainer(prev.id);
    const applied = topInputs(effects.applied);
    const unsupported = applied.filter((k) => k !== "mustRun" && !CONTAINER_UPDATE_INPUTS.has(k));
    if (unsupported.length > 0)
      throw new Error(`engine mode does not update Container inputs in place: ${unsupported.join(", ")}`);
    if (applied.some((k) => CONTAINER_UPDATE_INPUTS.has(k)))
      await c.update(containerUpdateBody(inputs as { name: string; image: string }));
    if (
      applied.includes("mustRun") &&
      prev.inputs.mustRun === false &&
      inputs.mustRun !== false &&
      !(await c.inspect()).State.Running
    )
      await c.start();
    return {
      id: prev.id,
      state: {
        ...prev.state,
        ...Object.fromEntries(topInputs([...effects.applied, ...effects.recorded]).map((k) => [k, inputs[k]])),
      },
    };
  },
  async delete(r, docker) {
    const c = docker.getContainer(r.id);
    const call = containerCreateCall(r.inputs as { name: string; image: string });
    // As the provider: stop within the grace period, then remove (with anonymous volumes).
    if (call.destroyGraceSeconds !== undefined)
      await c
        .stop({ t: call.destroyGraceSeconds })
        .catch((err) => (err?.statusCode === 304 ? undefined : ignoreGone(err)));
    await c.remove({ force: true, v: call.removeVolumes }).catch(ignoreGone);
  },
};

const service: Applier = {
  async create(inputs, ctx) {
    const created = (await ctx.docker.createService(serviceCreateSpec(inputs))) as { id?: string; ID?: string };
    const id = created.id ?? created.ID;
    if (!id) throw new Error(`the engine created service ${inputs.name} but returned no id`);
    ctx.made(id);
    return { id, state: { ...inputs } };
  },
  async delete(r, docker) {
    await docker.getService(r.id).remove().catch(ignoreGone);
    // As the provider with a stop grace period: wait until every task (and its container) is gone,
    // so the network they were attached to can be removed next.
    const grace = removalWaitSeconds(r.inputs);
    if (grace === undefined) return;
    const deadline = Date.now() + (grace + 60) * 1000;
    for (;;) {
      // Not filtered by service: the manager refuses a filter naming a service it removed.
      const tasks = (
        (await docker.listTasks()) as Array<{ ID: string; ServiceID: string; Status: { State: string } }>
      ).filter((t) => t.ServiceID === r.id);
      if (tasks.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `service ${r.inputs.name} was removed but ${tasks.length} task(s) remain after ${grace + 60} s: ${tasks.map((t) => `${t.ID.slice(0, 12)} ${t.Status.State}`).join(", ")}`,
        );
      }
      await sleep(250);
    }
  },
};

export const PROVIDER_TYPE = "pulumi:providers:docker";
const PROVIDER_INPUTS = new Set(["host", "version"]);

/** A client of the engine at a Docker host address (unix://, tcp://, ssh://), as the provider reaches it. */
export function dockerFor(host: string): Docker {
  const url = new URL(host);
  switch (url.protocol) {
    case "unix:":
      return new Docker({ socketPath: url.pathname });
    case "tcp:":
      return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: "http" });
    case "ssh:":
      return new Docker({
        protocol: "ssh",
        host: url.hostname,
        port: Number(url.port || 22),
        username: url.username || undefined,
      });
    default:
      throw new Error(`engine mode reaches engines over unix://, tcp:// or ssh://, not ${url.protocol}//`);
  }
}

// An explicit provider makes nothing on an engine: it says which engine its resources go to.
const provider: Applier = {
  async create(inputs) {
    const unknown = Object.keys(inputs).filter((k) => inputs[k] !== undefined && !PROVIDER_INPUTS.has(k));
    if (unknown.length > 0)
      throw new Error(`engine mode does not implement docker.Provider inputs: ${unknown.sort().join(", ")}`);
    if (inputs.host !== undefined) await dockerFor(inputs.host).ping();
    return { id: `provider-${randomInt(1e9)}`, state: { ...inputs } };
  },
  async delete() {},
};

export const APPLIERS: Record<string, Applier> = {
  "docker:index/container:Container": container,
  "docker:index/network:Network": network,
  "docker:index/volume:Volume": volume,
  "docker:index/remoteImage:RemoteImage": remoteImage,
  "docker:index/service:Service": service,
  "command:local:Command": command,
  "random:index/randomPassword:RandomPassword": randomPassword,
  "docker:index/image:Image": image,
  [PROVIDER_TYPE]: provider,
};

export function applierFor(type: string): Applier {
  const applier = APPLIERS[type];
  if (!applier) throw new Error(`engine mode cannot apply resources of type ${type}`);
  return applier;
}
