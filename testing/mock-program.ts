// Runs the berth program under Pulumi's mock runtime with a stack file's config, the way
// `pulumi up --stack <name>` would load it, and records every registered resource with its
// parent, its dependencies and which of its inputs are secret.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { specialSecretSig as SECRET_SIG, specialSigKey as SIG_KEY } from "@pulumi/pulumi/runtime/rpc";

export const REPO_ROOT = path.resolve(__dirname, "..");

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent: string;
  /** Inputs as the provider would see them, secrets unwrapped. */
  inputs: Record<string, any>;
  /** Top-level input names that hold a secret anywhere inside. */
  secretInputs: string[];
  /** URNs this resource waits for (explicit dependsOn, expanded, plus input dependencies). */
  dependencies: string[];
  replaceOnChanges: string[];
  deleteBeforeReplace: boolean;
  provider: string;
}

export type MockState = (r: pulumi.runtime.MockResourceArgs) => Record<string, any>;

export interface ProgramRun {
  resources: RecordedResource[];
  exports: Record<string, unknown>;
  /** Stack outputs resolved to plain values; `secretOutputs` names those that are secret. */
  outputs: Record<string, unknown>;
  secretOutputs: string[];
}

/** Stack config as the engine hands it to a program: "ns:key" → string (objects as JSON). */
export function stackConfig(
  stack: string,
  overrides: Record<string, unknown> = {},
  programDir = REPO_ROOT,
  file = path.join(programDir, `Pulumi.${stack}.yaml`),
): Record<string, string> {
  const doc = fs.existsSync(file) ? (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) : {};
  const merged: Record<string, unknown> = { ...(doc.config ?? {}), ...overrides };
  return Object.fromEntries(
    Object.entries(merged)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}


function hasSecret(value: any): boolean {
  if (value === null || typeof value !== "object") return false;
  if (value[SIG_KEY] === SECRET_SIG) return true;
  return Object.values(value).some(hasSecret);
}

/** Replaces serialized secret wrappers by their values. */
function unwrapSecrets(value: any): any {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value === null || typeof value !== "object") return value;
  if (value[SIG_KEY] === SECRET_SIG) return unwrapSecrets(value.value);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
}

/** The first host port the engine hands out when it picks one (Linux' ephemeral range). */
export const FIRST_PICKED_PORT = 32768;

/**
 * Provider state as a preview shows it: the inputs echoed, plus what a real create would compute
 * that does not depend on the engine; what only the engine knows (a host port it picks) stays unset.
 */
export const previewState: MockState = (r) => {
  if (r.type === "random:index/randomPassword:RandomPassword") return { ...r.inputs, result: "mock-password-0123456789abcdef" };
  if (r.type === "docker:index/remoteImage:RemoteImage") return { ...r.inputs, imageId: `${r.inputs.name}@sha256:mock`, repoDigest: `${r.inputs.name}@sha256:mock` };
  if (r.type === "docker:index/image:Image") return { ...r.inputs, repoDigest: "", baseImageName: r.inputs.imageName };
  return { ...r.inputs };
};

/**
 * The host port "the engine picks" for a container's i-th port under mocks: from FIRST_PICKED_PORT
 * up, derived from the container's name so that it does not depend on registration order.
 */
export function pickedPort(containerName: string, index = 0): number {
  let hash = 0;
  for (const ch of `${containerName}#${index}`) hash = (hash * 31 + ch.charCodeAt(0)) % 28_000;
  return FIRST_PICKED_PORT + hash;
}

/** Provider state as after `up`: like previewState, and every port left to the engine gets one. */
export function upState(): MockState {
  return (r) => {
    const state = previewState(r);
    if (r.type !== "docker:index/container:Container" || !Array.isArray(r.inputs.ports)) return state;
    return { ...state, ports: r.inputs.ports.map((p: Record<string, unknown>, i: number) => ({ ...p, external: p.external ?? pickedPort(String(r.inputs.name), i) })) };
  };
}

const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

async function resolve(value: unknown): Promise<{ value: unknown; secret: boolean }> {
  if (!pulumi.Output.isInstance(value)) return { value, secret: false };
  const output = value as pulumi.Output<unknown> & { isSecret: Promise<boolean> };
  const plain = await new Promise<unknown>((res) => output.apply((v) => res(v)));
  return { value: plain, secret: await output.isSecret };
}

/**
 * Loads index.ts afresh under mocks with `stack`'s config (plus `overrides`, keyed "berth:…").
 * A config error surfaces as the thrown pulumi.RunError, just as the CLI would show it.
 */
export async function runProgram(
  stack: string,
  overrides: Record<string, unknown> = {},
  /** programDir: a program other than berth's own (its index.ts and Pulumi.<stack>.yaml); stackFile: another stack file. */
  options: { secretKeys?: string[]; state?: MockState; project?: string; programDir?: string; stackFile?: string } = {},
): Promise<ProgramRun> {
  const programDir = options.programDir ?? REPO_ROOT;
  const resources: RecordedResource[] = [];
  const state = options.state ?? upState();
  await pulumi.runtime.setMocks(
    {
      newResource: (r) => ({ id: r.custom ? `${r.name}-id` : "", state: state(r) }),
      call: (c) => c.inputs,
    },
    options.project ?? "berth",
    stack,
    false,
  );
  const monitor: any = (pulumi.runtime as any).getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: any) => {
    const raw = req.getObject()?.toJavaScript() ?? {};
    resources.push({
      urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      parent: req.getParent(),
      inputs: {},
      secretInputs: Object.keys(raw).filter((k) => hasSecret(raw[k])),
      dependencies: [...req.getDependenciesList()].sort(),
      replaceOnChanges: req.getReplaceonchangesList(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
      provider: req.getProvider(),
    });
    const recorded = resources[resources.length - 1];
    return register(req, (err: unknown, resp: unknown) => {
      recorded.inputs = unwrapSecrets(pulumi.runtime.deserializeProperties(req.getObject()));
      callback(err, resp);
    });
  };
  pulumi.runtime.setAllConfig(stackConfig(stack, overrides, programDir, options.stackFile), options.secretKeys ?? []);

  const entry = require.resolve(path.join(programDir, "index.ts"));
  delete require.cache[entry];
  const programExports = require(entry) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [key, value] of Object.entries(programExports)) {
    const resolved = await resolve(value);
    outputs[key] = resolved.value;
    if (resolved.secret) secretOutputs.push(key);
  }
  await settings.waitForRPCs();
  return { resources, exports: programExports, outputs, secretOutputs };
}

/** The one resource of `type` whose logical name is `name`; throws a readable error otherwise. */
export function resourceNamed(run: ProgramRun, type: string, name: string): RecordedResource {
  const found = run.resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) {
    const names = run.resources.filter((r) => r.type === type).map((r) => r.name);
    throw new Error(`expected one ${type} named ${name}, found ${found.length} (have: ${names.join(", ")})`);
  }
  return found[0];
}
