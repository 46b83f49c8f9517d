// What the test kit runs: a Pulumi program as a function (like the Automation API's inline
// programs) or a module file, with its stack config in the shape the engine hands a program.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig as SECRET_SIG, specialSigKey as SIG_KEY } from "@pulumi/pulumi/runtime/rpc";
import { parse as parseYaml } from "yaml";

/** A Pulumi program: declares resources, returns its stack outputs (or nothing). */
export type Program = () => Record<string, unknown> | void | Promise<Record<string, unknown> | void>;

/** The program in a module file (e.g. a project's index.ts), loaded afresh on every run. */
export function programFile(file: string): Program {
  return () => {
    const entry = require.resolve(path.resolve(file));
    delete require.cache[entry];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a program file named at run time, loaded afresh
    return require(entry) as Record<string, unknown>;
  };
}

/**
 * The program `pulumi up` runs in project directory `dir`: the file Pulumi.yaml's `main` names
 * (e.g. compiled JavaScript), else the directory as Node resolves it (package.json `main`, index.js).
 */
export function projectProgram(dir: string): Program {
  const project = parseYaml(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) ?? {};
  const main = path.resolve(dir, typeof project.main === "string" ? project.main : ".");
  const run = programFile(main);
  return () => {
    if (!fs.existsSync(main))
      throw new Error(`${main} (Pulumi.yaml main) does not exist: build the program first (e.g. npm run build)`);
    return run();
  };
}

/** Config as `pulumi config set` writes it in a stack file: "namespace:key" → value. */
export type StackConfig = Record<string, unknown>;

/** The `config:` block of a stack file (Pulumi.<stack>.yaml); {} when the file does not exist. */
export function stackFileConfig(file: string): StackConfig {
  if (!fs.existsSync(file)) return {};
  const doc = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
  return { ...(doc.config ?? {}) };
}

/** Stack config as the engine hands it to a program: "ns:key" → string (objects as JSON); undefined drops a key. */
export function engineConfig(config: StackConfig): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

/** Whether a serialized value holds a secret anywhere inside. */
export function hasSecret(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if ((value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) return true;
  return Object.values(value).some(hasSecret);
}

/** Serialized secret wrappers replaced by their values: inputs as the provider sees them. */
export function unwrapSecrets(value: any): any {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value === null || typeof value !== "object") return value;
  if (value[SIG_KEY] === SECRET_SIG) return unwrapSecrets(value.value);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
}

/** A stack output's plain value and whether it is secret; rejects when it never resolves. */
export async function resolveOutput(value: unknown, timeoutMs = 10_000): Promise<{ value: unknown; secret: boolean }> {
  if (!pulumi.Output.isInstance(value)) return { value, secret: false };
  const output = value as pulumi.Output<unknown> & { isSecret: Promise<boolean> };
  const plain = await new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stack output did not resolve within ${timeoutMs} ms`)), timeoutMs);
    output.apply((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
  return { value: plain, secret: await output.isSecret };
}

/** Every stack output resolved; `secret` names those that are secret. */
export async function resolveOutputs(
  exports: Record<string, unknown> | void,
  timeoutMs?: number,
): Promise<{ outputs: Record<string, unknown>; secret: string[] }> {
  const outputs: Record<string, unknown> = {};
  const secret: string[] = [];
  for (const [key, value] of Object.entries(exports ?? {})) {
    const resolved = await resolveOutput(value, timeoutMs);
    outputs[key] = resolved.value;
    if (resolved.secret) secret.push(key);
  }
  return { outputs, secret };
}

/**
 * Runs `body` while catching what the SDK can only report as an unhandled rejection: an error
 * thrown inside an `apply` that feeds a resource's inputs (e.g. a component's ResourceError about
 * an output's value). `failed` rejects with the first such error; the CLI would stop there too.
 */
export async function withProgramFailures<T>(body: (failed: Promise<never>) => Promise<T>): Promise<T> {
  let fail!: (reason: unknown) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined); // observed by body, or not at all
  const onRejection = (reason: unknown) => fail(reason);
  process.on("unhandledRejection", onRejection);
  try {
    return await body(failed);
  } finally {
    process.off("unhandledRejection", onRejection);
  }
}
