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

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined), root);
}

/** The keys an object schema accepts at `path`, unwrapping optional wrappers. */
export function knownKeysAt(schema: z.ZodType, path: PropertyKey[]): string[] {
  let node: any = schema;
  const unwrap = () => {
    while (node?._zod?.def?.innerType) node = node._zod.def.innerType;
  };
  unwrap();
  for (const key of path) {
    node = node?.shape?.[key as string];
    unwrap();
  }
  return node?.shape ? Object.keys(node.shape) : [];
}

function allowedFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `a ${issue.expected}`;
    case "too_small":
      return issue.origin === "array" ? `at least ${issue.minimum} entries` : `a number >= ${issue.minimum}`;
    case "too_big":
      return issue.origin === "array" ? `at most ${issue.maximum} entries` : `a number <= ${issue.maximum}`;
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union":
      return "a list of namespace names, or one such list per replica";
    default:
      return issue.message;
  }
}

/** Turns zod issues into problems; unknown keys get their own line each, with the allowed keys. */
export function describeIssues(issues: z.core.$ZodIssue[], raw: unknown, schema: z.ZodType): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    if (issue.code === "unrecognized_keys") {
      const allowed = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        problems.push({ path: [...path, key], given: `an unknown key`, allowed: `remove it, or use one of: ${allowed.join(", ")}`, secret: true });
      }
      continue;
    }
    const integer = issue.code === "invalid_type" && issue.expected === "int";
    problems.push({ path, given: valueAt(raw, issue.path), allowed: integer ? "a whole number" : allowedFor(issue) });
  }
  return problems;
}
