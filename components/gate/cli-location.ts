// Where the compiled gate tools live, as a path relative to the directory Pulumi runs the
// program in, so the commands recorded in state do not depend on one machine's checkout path.
import * as path from "node:path";

/** dist/ of this package, whether this file runs from source (ts-node) or compiled. */
export function distRoot(here: string = __dirname): string {
  // here is <root>/components/gate (ts-node) or <root>/dist/components/gate (compiled)
  const parent = path.dirname(path.dirname(here));
  return path.basename(parent) === "dist" ? parent : path.join(parent, "dist");
}

export type GateScript = "cli" | "set-pids-limit";

/** `node dist/gate/cli.js`, quoted for a shell. */
export function gateInvocation(script: GateScript, cwd: string = process.cwd(), here: string = __dirname): string {
  const rel = path.relative(cwd, path.join(distRoot(here), "gate", `${script}.js`));
  return `node ${shellQuote(rel)}`;
}

/** Quotes one word for /bin/sh when it holds anything beyond a safe set. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The environment the gate tools need to reach the right engine. */
export function dockerEnvironment(dockerHost: string | undefined): Record<string, string> {
  return dockerHost === undefined ? {} : { DOCKER_HOST: dockerHost };
}
