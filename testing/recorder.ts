// The mock recorder: runs a Pulumi program under Pulumi's mock runtime and records every resource
// it registers, with its parent, its dependencies and which of its inputs are secret, so a test
// can assert the exact graph a program declares without an engine, a backend or credentials.
import "./sdk-load"; // first: the SDK loads without its closure serializer's tools
import * as pulumi from "@pulumi/pulumi";
import { parsePickSubnetArgs } from "../tools/pick-subnet-args";
import { pickSubnet } from "../tools/subnet-pick";
import { onRegistration } from "./registrations";
import {
  engineConfig,
  hasSecret,
  Program,
  resolveOutputs,
  StackConfig,
  unwrapSecrets,
  withProgramFailures,
} from "./program";

const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

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

/** The first host port the engine hands out when it picks one (Linux' ephemeral range). */
export const FIRST_PICKED_PORT = 32768;

/**
 * Provider state as a preview shows it: the inputs echoed, plus what a real create would compute
 * that does not depend on the engine; what only the engine knows (a host port it picks) stays unset.
 */
export const previewState: MockState = (r) => {
  if (r.type === "random:index/randomPassword:RandomPassword")
    return { ...r.inputs, result: "mock-password-0123456789abcdef" };
  if (r.type === "docker:index/remoteImage:RemoteImage")
    return { ...r.inputs, imageId: `${r.inputs.name}@sha256:mock`, repoDigest: `${r.inputs.name}@sha256:mock` };
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

/**
 * What berth's subnet step (pick-subnet) answers on an engine with no other network and a host
 * with no route: the pick's own first choice for the network. Undefined for any other command.
 */
export function pickedSubnet(create: unknown): string | undefined {
  if (typeof create !== "string" || !/pick-subnet\.js /.test(create)) return undefined;
  const words = create
    .replace(/^.*pick-subnet\.js /, "")
    .split(" ")
    .map((w) => w.replace(/^'(.*)'$/, "$1"));
  const parsed = parsePickSubnetArgs(words);
  if (parsed.kind !== "ok") return undefined;
  const pick = pickSubnet({
    networkName: parsed.value.network,
    pool: parsed.value.pool,
    prefixLength: parsed.value.prefixLength,
    networks: [],
    routes: [],
  });
  return pick.kind === "exhausted" ? undefined : pick.subnet;
}

/** Provider state as after `up`: like previewState, every port left to the engine gets one, and every stack network a subnet. */
export function upState(): MockState {
  return (r) => {
    const state = previewState(r);
    const subnet = r.type === "command:local:Command" ? pickedSubnet(r.inputs.create) : undefined;
    if (subnet !== undefined) return { ...state, stdout: subnet, stderr: "" };
    if (r.type !== "docker:index/container:Container" || !Array.isArray(r.inputs.ports)) return state;
    return {
      ...state,
      ports: r.inputs.ports.map((p: Record<string, unknown>, i: number) => ({
        ...p,
        external: p.external ?? pickedPort(String(r.inputs.name), i),
      })),
    };
  };
}

export interface RecordOptions {
  /** @default "project" */
  project?: string;
  /** @default "test" */
  stack?: string;
  /** Stack config, "namespace:key" → value (objects as in a stack file), e.g. stackFileConfig(...) plus overrides. */
  config?: StackConfig;
  /** Config keys ("namespace:key") that are secrets, as `pulumi config set --secret` marks them. */
  secretKeys?: string[];
  /** What the mocked provider answers for each resource. @default upState() */
  state?: MockState;
}

/**
 * Runs `program` under Pulumi's mock runtime and records every resource it registers: type, name,
 * parent, dependencies (dependsOn expanded, and inputs), inputs with secrets unwrapped, which
 * inputs are secret, provider. A program error (e.g. a pulumi.RunError for bad config) rejects
 * as the CLI would show it.
 */
/** The id the mock runtime gives a custom resource, which the inputs of those that use it carry. */
export const mockId = (r: { name: string }): string => `${r.name}-id`;

export async function recordProgram(program: Program, options: RecordOptions = {}): Promise<ProgramRun> {
  const resources: RecordedResource[] = [];
  const state = options.state ?? upState();
  await pulumi.runtime.setMocks(
    {
      newResource: (r) => ({ id: r.custom ? mockId(r) : "", state: state(r) }),
      call: (c) => c.inputs,
    },
    options.project ?? "project",
    options.stack ?? "test",
    false,
  );
  onRegistration((reg) => {
    const recorded: RecordedResource = {
      urn: reg.urn,
      type: reg.type,
      name: reg.name,
      custom: reg.custom,
      parent: reg.parent,
      inputs: {},
      secretInputs: Object.keys(reg.rawInputs).filter((k) => hasSecret(reg.rawInputs[k])),
      dependencies: reg.dependencies,
      replaceOnChanges: reg.replaceOnChanges,
      deleteBeforeReplace: reg.deleteBeforeReplace,
      provider: reg.provider,
    };
    resources.push(recorded);
    return (inputs) => void (recorded.inputs = unwrapSecrets(inputs));
  });
  pulumi.runtime.setAllConfig(engineConfig(options.config ?? {}), options.secretKeys ?? []);

  return withProgramFailures(async (failed) => {
    const programExports = (await program()) ?? {};
    const { outputs, secret } = await Promise.race([resolveOutputs(programExports), failed]);
    await Promise.race([settings.waitForRPCs(), failed]);
    return { resources, exports: programExports, outputs, secretOutputs: secret };
  });
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
