// Whether a Pulumi CLI works here: the e2e harness picks its mode by it, and the client reads
// outputs through the Automation API only when it does.
import { spawnSync } from "node:child_process";

/** Whether a `pulumi` CLI answers here, cheaply: one `pulumi version` with a time limit. */
export function pulumiCli(opts: { command?: string; args?: string[]; timeoutMs?: number } = {}): {
  works: boolean;
  why: string;
} {
  const command = opts.command ?? "pulumi";
  const args = opts.args ?? ["version"];
  const shown = `\`${[command, ...args].join(" ")}\``;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const r = spawnSync(command, args, {
    timeout: timeoutMs,
    encoding: "utf8",
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return {
      works: false,
      why:
        code === "ETIMEDOUT"
          ? `${shown} did not answer within ${timeoutMs} ms`
          : `${shown}: ${code ?? r.error.message}`,
    };
  }
  const lastLine = (text: string) => text.trim().split("\n").pop() ?? "";
  if (r.status !== 0)
    return { works: false, why: `${shown} exited ${r.status ?? r.signal}: ${lastLine(r.stderr || r.stdout)}` };
  return { works: true, why: `pulumi ${r.stdout.trim()}` };
}
