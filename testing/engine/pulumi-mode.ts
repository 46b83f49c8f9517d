// Pulumi mode: the real CLI through the Automation API. A LocalWorkspace on the repository (its
// Pulumi.yaml and index.ts), a file backend in a fresh temp dir (no account, nothing shared with
// the user's ~/.pulumi-berth), the test stack's passphrase (empty), a unique stack name, config
// from the stack file plus overrides. destroy = `pulumi destroy` + `pulumi stack rm` (which also
// deletes the Pulumi.<stack>.yaml that config set wrote) + the temp backend.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConfigMap, DestroyOptions, LocalProgramArgs, LocalWorkspaceOptions, OpMap, OutputMap, RemoveOptions, UpOptions } from "@pulumi/pulumi/automation";
import { SECRET_KEYS } from "../../components/config/schema";
import { REPO_ROOT, stackConfig } from "../mock-program";
import { Changes, StackMode, StackOutputs, UpRequest, UpResult } from "./mode";

/** The part of an Automation API Stack this mode uses (a seam for its unit test). */
export interface AutomationStack {
  setAllConfig(config: ConfigMap): Promise<void>;
  up(opts?: UpOptions): Promise<{ outputs: OutputMap; summary: { resourceChanges?: OpMap } }>;
  destroy(opts?: DestroyOptions): Promise<unknown>;
  workspace: { removeStack(stackName: string, opts?: RemoveOptions): Promise<void> };
}

export type StackFactory = (args: LocalProgramArgs, opts: LocalWorkspaceOptions) => Promise<AutomationStack>;

export const automationStack: StackFactory = async (args, opts) => {
  // Loaded on use: engine mode never needs the Automation API.
  const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
  return LocalWorkspace.createOrSelectStack(args, opts);
};

export const UP_OPTIONS: UpOptions = { color: "never", refresh: false };
export const DESTROY_OPTIONS: DestroyOptions = { color: "never" };

/** Stack config as `pulumi config set` takes it; the secret keys marked secret. */
export function configMap(configFrom: string, overrides: Record<string, unknown>): ConfigMap {
  const secret = new Set(SECRET_KEYS.map((k) => `berth:${k}`));
  return Object.fromEntries(Object.entries(stackConfig(configFrom, overrides)).map(([k, value]) => [k, { value, secret: secret.has(k) }]));
}

function changesOf(ops: OpMap = {}): Changes {
  return { create: ops.create ?? 0, replace: ops.replace ?? 0, same: ops.same ?? 0, delete: ops.delete ?? 0 };
}

export class PulumiMode implements StackMode {
  readonly kind = "pulumi" as const;
  private readonly stacks = new Map<string, { stack: AutomationStack; backendDir: string }>();

  constructor(
    private readonly factory: StackFactory = automationStack,
    private readonly makeBackendDir: () => string = () => mkdtempSync(join(tmpdir(), "berth-e2e-backend-")),
  ) {}

  private async open(stackName: string) {
    const known = this.stacks.get(stackName);
    if (known) return known;
    const backendDir = this.makeBackendDir();
    const stack = await this.factory(
      { stackName, workDir: REPO_ROOT },
      { workDir: REPO_ROOT, envVars: { PULUMI_BACKEND_URL: `file://${backendDir}`, PULUMI_CONFIG_PASSPHRASE: "", PULUMI_SKIP_UPDATE_CHECK: "true" } },
    );
    const opened = { stack, backendDir };
    this.stacks.set(stackName, opened);
    return opened;
  }

  async up(req: UpRequest): Promise<UpResult> {
    const { stack } = await this.open(req.stack);
    await stack.setAllConfig(configMap(req.configFrom, req.config));
    const result = await stack.up(UP_OPTIONS);
    const outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
    return { outputs: outputs as unknown as StackOutputs, changes: changesOf(result.summary.resourceChanges) };
  }

  async destroy(stackName: string): Promise<void> {
    const opened = this.stacks.get(stackName);
    if (!opened) return;
    try {
      await opened.stack.destroy(DESTROY_OPTIONS);
      await opened.stack.workspace.removeStack(stackName);
    } finally {
      this.stacks.delete(stackName);
      rmSync(opened.backendDir, { recursive: true, force: true });
    }
  }
}

/** Whether a `pulumi` CLI answers here, cheaply: one `pulumi version` with a time limit. */
export function pulumiCli(opts: { command?: string; args?: string[]; timeoutMs?: number } = {}): { works: boolean; why: string } {
  const command = opts.command ?? "pulumi";
  const args = opts.args ?? ["version"];
  const shown = `\`${[command, ...args].join(" ")}\``;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const r = spawnSync(command, args, { timeout: timeoutMs, encoding: "utf8", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { works: false, why: code === "ETIMEDOUT" ? `${shown} did not answer within ${timeoutMs} ms` : `${shown}: ${code ?? r.error.message}` };
  }
  const lastLine = (text: string) => text.trim().split("\n").pop() ?? "";
  if (r.status !== 0) return { works: false, why: `${shown} exited ${r.status ?? r.signal}: ${lastLine(r.stderr || r.stdout)}` };
  return { works: true, why: `pulumi ${r.stdout.trim()}` };
}
