// One readable error for every configuration problem: key path, what was given, what is allowed,
// and the stack file to edit. Thrown as pulumi.RunError by the program so no stack trace is shown.
import type { z } from "zod";

export interface ConfigProblem {
  /** Path under the `berth:` namespace, e.g. ["workers", "replicas"]. */
  path: (string | number)[];
  /** What the stack file holds there (already a description when `secret` is set). */
  given: unknown;
  /** What would be accepted, in words. */
  allowed: string;
  /** Never print the value. */
  secret?: boolean;
}

export class ConfigError extends Error {
  constructor(
    readonly stackFile: string,
    readonly problems: ConfigProblem[],
  ) {
    super(formatProblems(stackFile, problems));
    this.name = "ConfigError";
  }
}

/** `berth:workers.replicas`, `berth:workers.namespaces[1]` */
export function keyPath(path: (string | number)[]): string {
  return "berth:" + path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function formatProblems(stackFile: string, problems: ConfigProblem[]): string {
  const noun = problems.length === 1 ? "problem" : "problems";
  const lines = problems.map((p) => {
    const given = p.secret ? String(p.given) : show(p.given);
    return `  - ${keyPath(p.path)}: got ${given}; allowed: ${p.allowed}.`;
  });
  return [
    `Invalid configuration in ${stackFile} (${problems.length} ${noun}):`,
    ...lines,
    `Edit ${stackFile} (or use \`pulumi config set --path <key> <value>\`) and run again.`,
  ].join("\n");
}

/** A component's args broke its settings' rules: one error naming the component and every problem. */
export function componentError(kind: string, name: string, problems: ConfigProblem[]): string {
  return `${kind} ${name}: ${problems.map((p) => `${p.path.join(".")} is ${p.secret ? p.given : show(p.given)}; allowed: ${p.allowed}`).join("; ")}`;
}

/** Problems of a fragment, with their paths moved under `prefix` (e.g. ["postgres"]). */
export function within(prefix: (string | number)[], problems: ConfigProblem[]): ConfigProblem[] {
  return problems.map((p) => ({ ...p, path: [...prefix, ...p.path] }));
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined,
    root,
  );
}

/** The schema at `path`, optional wrappers removed. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): any {
  let node: any = schema;
  const unwrap = () => {
    while (node?._zod?.def?.innerType) node = node._zod.def.innerType;
  };
  unwrap();
  for (const key of path) {
    node = node?.shape?.[key as string];
    unwrap();
  }
  return node;
}

/** The keys an object schema accepts at `path`. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const node = schemaAt(schema, path);
  return node?.shape ? Object.keys(node.shape) : [];
}

/** Keys that changed their name: the old name gets a pointer to the new one. */
const RENAMED: Record<string, string> = { "redis.persistence": "redis.durable" };

function unknownKeyAdvice(schema: z.ZodType, path: readonly PropertyKey[], key: string): string {
  const dotted = [...path, key].join(".");
  if (RENAMED[dotted]) return `it is now called berth:${RENAMED[dotted]}`;
  const allowed = knownKeysAt(schema, path);
  // `berth:workers.replicas: 3` written flat in the stack file arrives as one key with a dot.
  const [head, ...tail] = key.split(".");
  if (tail.length > 0 && allowed.includes(head)) {
    const at = [...path.map(String), head].join(".");
    return `nest it: write \`berth:${at}:\` with \`${tail.join(".")}: <value>\` indented under it in the stack file, or run \`pulumi config set --path 'berth:${at}.${tail.join(".")}' <value>\``;
  }
  return `remove it, or use one of: ${allowed.join(", ")}`;
}

function allowedFor(issue: z.core.$ZodIssue, schema: z.ZodType): string {
  switch (issue.code) {
    case "invalid_type": {
      if (issue.expected === "int") return "a whole number";
      const keys = knownKeysAt(schema, issue.path);
      if (issue.expected === "object" && keys.length > 0) return `an object with some of the keys ${keys.join(", ")}`;
      if (issue.expected === "array") return "a list";
      return /^[aeiou]/.test(issue.expected) ? `an ${issue.expected}` : `a ${issue.expected}`;
    }
    case "too_small":
      return issue.origin === "array" ? `at least ${issue.minimum} entries` : `a number >= ${issue.minimum}`;
    case "too_big":
      return issue.origin === "array" ? `at most ${issue.maximum} entries` : `a number <= ${issue.maximum}`;
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union":
      return schemaAt(schema, issue.path)?.description ?? issue.message;
    default:
      return issue.message;
  }
}

/** Turns zod issues into problems; unknown keys get their own line each, with the allowed keys. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], raw: unknown, schema: z.ZodType): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        problems.push({
          path: [...path, key],
          given: "an unknown key",
          allowed: unknownKeyAdvice(schema, issue.path, key),
          secret: true,
        });
      continue;
    }
    problems.push({ path, given: valueAt(raw, issue.path), allowed: allowedFor(issue, schema) });
  }
  return problems;
}
