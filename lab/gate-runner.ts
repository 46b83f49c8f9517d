// Runs the compiled gate entry points as child processes, the way HealthGate runs them.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { nowMs } from "./clock";

export const GATE_CLI = join(__dirname, "..", "dist", "gate", "cli.js");

/** tests/run.sh builds dist/ before mocha; a bare `npx mocha` needs `npm run build` first. */
export function requireBuilt(script: string): void {
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first (npm test does it)`);
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stderr split into lines, without the empty one after the final newline. */
  stderrLines: string[];
  /** Wall-clock time (ms since the epoch, sub-millisecond precision) at which the process exited. */
  exitedAtMs: number;
}

export function runCli(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  requireBuilt(script);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let exitedAtMs = 0;
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("exit", () => (exitedAtMs = nowMs()));
    child.on("close", (code) => resolve({ code, stdout, stderr, stderrLines: lines(stderr), exitedAtMs }));
  });
}

function lines(text: string): string[] {
  return text === "" ? [] : text.replace(/\n$/, "").split("\n");
}

/** The gate's JSON result (the one document on stdout). */
export interface GateJson {
  gate: string;
  status: "passed" | "failed";
  elapsedMs: number;
  probes: Array<{ kind: string; target: string; status: string; timeToHealthyMs: number | null; detail: string }>;
}

export function gateJson(run: CliRun): GateJson {
  const lines = run.stdout.split("\n").filter((l) => l !== "");
  if (lines.length !== 1)
    throw new Error(
      `expected exactly one JSON line on stdout, got ${lines.length}:\n${run.stdout}\nstderr:\n${run.stderr}`,
    );
  return JSON.parse(lines[0]) as GateJson;
}
