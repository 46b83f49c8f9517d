// A stack's outputs for test code, secrets included. Two sources, in this order:
// 1. the record engine mode wrote on up (recorded-outputs.ts) — it exists only while a stack that
//    engine mode brought up is alive, so when present it is the stack on this engine;
// 2. the Automation API (`pulumi stack output --show-secrets` underneath), wherever a Pulumi CLI
//    works: the stack `npm run up` / `pulumi up` made, read from the program's directory.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { OutputMap } from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import { pulumiCli } from "./pulumi-cli";
import { outputsDir, readRecordedOutputs, recordPath } from "./recorded-outputs";
import type { StackRef } from "./stack-containers";

export interface ReadOutputsOptions {
  /** The project label and Pulumi project. @default the name in the Pulumi.yaml of programDir, else of the working directory, else "berth" */
  project?: string;
  /** The stack's name (its `berth.stack` label). */
  stack: string;
  /** The Pulumi program's directory (its Pulumi.yaml), for the Automation API. @default none: recorded outputs only */
  programDir?: string;
  /** Where recorded outputs are. @default BERTH_OUTPUTS_DIR, else a private directory under the OS temp dir */
  outputsDir?: string;
  /** Environment for the Pulumi CLI (backend URL, passphrase). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Seams for tests. @default the real Automation API and `pulumi version` probe */
  automation?: AutomationReader;
  pulumiCli?: () => { works: boolean; why: string };
}

export interface StackOutputsRead<T> {
  outputs: T;
  /** Names of the outputs that are secret (their values are in `outputs`, unmasked). */
  secretOutputs: string[];
  source: "recorded" | "automation";
  /** The record's path, or the program directory the Automation API read. */
  where: string;
}

export type AutomationReader = (args: {
  stackName: string;
  workDir: string;
  envVars: Record<string, string>;
}) => Promise<OutputMap>;

export const automationOutputs: AutomationReader = async ({ stackName, workDir, envVars }) => {
  // Loaded on use: the recorded path never needs the Automation API.
  const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
  const stack = await LocalWorkspace.selectStack({ stackName, workDir }, { workDir, envVars });
  return stack.outputs();
};

export const DEFAULT_PROJECT = "berth";

/**
 * The project: the option, else the name in the Pulumi.yaml of programDir (else of `cwd`), else
 * "berth"; `note` says where it came from when it was not given, for messages.
 */
export function projectSource(
  opts: { project?: string; programDir?: string },
  cwd: string = process.cwd(),
): { project: string; note: string } {
  if (opts.project !== undefined) return { project: opts.project, note: "" };
  const file = join(opts.programDir ?? cwd, "Pulumi.yaml");
  if (!existsSync(file))
    return {
      project: DEFAULT_PROJECT,
      note: ` (project "${DEFAULT_PROJECT}" by default: there is no ${file}; pass project)`,
    };
  const name = (parse(readFileSync(file, "utf8")) as { name?: unknown } | null)?.name;
  if (typeof name !== "string" || name === "")
    throw new Error(`${file} has no name: give the project's name there (name: <project>), or pass project`);
  return { project: name, note: ` (project from ${file})` };
}

export const projectOf = (opts: { project?: string; programDir?: string }): string => projectSource(opts).project;

export function stackRef(opts: { project?: string; programDir?: string; stack: string }): StackRef {
  return { project: projectOf(opts), stack: opts.stack };
}

/** Outputs and secret names from an Automation API output map. */
export function fromOutputMap(map: OutputMap): { outputs: Record<string, unknown>; secretOutputs: string[] } {
  return {
    outputs: Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v.value])),
    secretOutputs: Object.entries(map)
      .filter(([, v]) => v.secret)
      .map(([k]) => k)
      .sort(),
  };
}

/** Reads the outputs typed as T (berth's program: StackOutputs); throws saying what to do when neither source has them. */
export async function readStackOutputs<T = Record<string, unknown>>(
  opts: ReadOutputsOptions,
): Promise<StackOutputsRead<T>> {
  const source = projectSource(opts);
  const ref: StackRef = { project: source.project, stack: opts.stack };
  const dir = opts.outputsDir ?? outputsDir(opts.env);
  const recorded = readRecordedOutputs(ref, dir);
  if (recorded)
    return {
      outputs: recorded.outputs as T,
      secretOutputs: recorded.secretOutputs,
      source: "recorded",
      where: recordPath(ref, dir),
    };

  const nothing = `no outputs of stack ${ref.project}/${ref.stack}${source.note}: nothing recorded at ${recordPath(ref, dir)} (engine mode records there while its stack is up)`;
  if (!opts.programDir)
    throw new Error(
      `${nothing}; to read a stack made by \`pulumi up\`, pass programDir (the directory of its Pulumi.yaml)`,
    );
  const probe = opts.pulumiCli ?? pulumiCli;
  const cli = probe();
  if (!cli.works)
    throw new Error(
      `${nothing}, and the Automation API needs a Pulumi CLI, which does not work here (${cli.why}): install the CLI, or bring the stack up in engine mode`,
    );
  const env = Object.fromEntries(
    Object.entries(opts.env ?? process.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  // As `npm run up`: the test stack's passphrase is empty unless one is given.
  if (env.PULUMI_CONFIG_PASSPHRASE === undefined && env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined)
    env.PULUMI_CONFIG_PASSPHRASE = "";
  try {
    const read = fromOutputMap(
      await (opts.automation ?? automationOutputs)({ stackName: ref.stack, workDir: opts.programDir, envVars: env }),
    );
    return {
      outputs: read.outputs as T,
      secretOutputs: read.secretOutputs,
      source: "automation",
      where: opts.programDir,
    };
  } catch (err) {
    const why = err instanceof Error ? err.message.trim().split("\n").slice(-3).join(" ") : String(err);
    throw new Error(
      `reading the outputs of stack ${ref.stack} through the Automation API in ${opts.programDir} failed: ${why}. Is the stack up (\`pulumi up --stack ${ref.stack}\`) and are PULUMI_BACKEND_URL / PULUMI_CONFIG_PASSPHRASE set as for \`pulumi up\`?`,
      { cause: err },
    );
  }
}
