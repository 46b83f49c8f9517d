// Reads the stack's `berth:` configuration through Pulumi and validates it before any resource
// is registered. A user's mistake ends the program with one message and no stack trace.
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, Settings, SECRET_KEYS } from "./schema";
import { ConfigError } from "../problems";

export const CONFIG_NAMESPACE = "berth";

// Exported by the SDK at run time but missing from its typings.
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

export interface StackConfig {
  settings: Settings;
  /** The Postgres password from `berth:postgresPassword`, if the stack sets one (secret). */
  postgresPassword?: pulumi.Output<string>;
}

/** Stack files hold objects as JSON text; plain strings stay strings. */
function decode(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function loadStackConfig(): StackConfig {
  const stackFile = `Pulumi.${pulumi.getStack()}.yaml`;
  const prefix = `${CONFIG_NAMESPACE}:`;
  const values: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    values[key] = decode(text);
    if (isConfigSecret(fullKey)) secretKeys.add(key);
  }
  try {
    const settings = parseStackConfig(values, stackFile, secretKeys);
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    const [passwordKey] = SECRET_KEYS;
    return { settings, postgresPassword: config.getSecret(passwordKey) };
  } catch (err) {
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}
