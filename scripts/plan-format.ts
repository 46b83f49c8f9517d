// Pure formatting for the offline plan: how one recorded resource reads in the snapshot.
// Everything here is deterministic (sorted keys, no clock, no paths) and redacts secrets.
import type { RecordedResource } from "../testing/recorder";
import { shellQuote } from "../components/gate/command-line";

export const REDACTED = "***";
const KEY_WIDTH = 15;

/** "docker:index/container:Container" → "docker:Container"; "command:local:Command" keeps its module. */
export function shortType(type: string): string {
  const [pkg, module, name] = type.split(":");
  if (name === undefined) return type;
  return module === "index" || module.startsWith("index/") ? `${pkg}:${name}` : `${pkg}:${module}:${name}`;
}

/** How a resource is named everywhere in the plan: short type and logical name. */
export function resourceId(r: Pick<RecordedResource, "type" | "name">): string {
  return `${shortType(r.type)} ${r.name}`;
}

/** The URN of a provider reference ("<urn>::<id>"). */
export function providerUrn(ref: string): string {
  return ref.slice(0, ref.lastIndexOf("::"));
}

const ENV_ENTRY = /^([A-Za-z_][A-Za-z0-9_]*)=/;

/**
 * A secret input's value as the plan shows it: env entries keep their names (`KEY=***`) so a
 * reviewer sees which variables exist; everything else is `***`. The value itself never appears.
 */
export function redact(value: unknown): unknown {
  if (Array.isArray(value) && value.every((v) => typeof v === "string" && ENV_ENTRY.test(v))) {
    return value.map((v: string) => `${v.match(ENV_ENTRY)![1]}=${REDACTED}`);
  }
  return REDACTED;
}

/** The inputs with every secret one redacted. */
export function visibleInputs(r: RecordedResource): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, r.secretInputs.includes(k) ? redact(v) : v]));
}

/** JSON with object keys sorted, so the same value always prints the same. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

/** One value on one line: words of a list joined, objects as sorted JSON. */
export function inline(value: unknown): string {
  if (value === undefined) return "(unset)";
  if (typeof value === "string") return value === "" ? '""' : value;
  if (Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null))
    return value.length === 0 ? "[]" : value.map(String).join(", ");
  return typeof value === "object" && value !== null ? stableJson(value) : String(value);
}

/** Aligned "key  value" lines; a value with several lines continues under the first. */
export function field(key: string, values: string | string[]): string[] {
  const list = typeof values === "string" ? [values] : values.length === 0 ? ["none"] : values;
  return list.map((v, i) => `${(i === 0 ? key : "").padEnd(KEY_WIDTH - 1)} ${v}`.trimEnd());
}

/** A command line in exec form, quoted as a shell would need it. */
export function commandLine(words: unknown): string {
  return Array.isArray(words) ? words.map((w) => shellQuote(String(w))).join(" ") : inline(words);
}

interface Port {
  internal: number;
  external?: number;
  ip?: string;
  protocol?: string;
}
interface NetworkAttachment {
  name: string;
  aliases?: string[];
}
interface Volume {
  volumeName?: string;
  hostPath?: string;
  containerPath: string;
  readOnly?: boolean;
}

type Render = (value: any, inputs: Record<string, any>) => string | string[];
const list = <T>(value: T[] | undefined, fn: (item: T) => string): string[] => (value ?? []).map(fn);
const words = (value: string[] | undefined): string => (value && value.length > 0 ? value.join(", ") : "none");

/** Docker labels in the provider's [{ label, value }] shape: one `key=value` a line, sorted. */
export function labelLines(value: { label: string; value: string }[] | undefined): string[] {
  return list(value, (l) => `${l.label}=${l.value}`).sort();
}

/** The container inputs a reviewer reads first, in this order, under a readable key. */
const CONTAINER_FIELDS: [input: string, label: string, render: Render][] = [
  ["name", "name", inline],
  ["image", "image", inline],
  ["user", "user", inline],
  [
    "memory",
    "memory",
    (mb, i) => (mb === undefined ? "unlimited" : `${mb} MB (memory+swap ${inline(i.memorySwap)} MB)`),
  ],
  ["cpus", "cpus", inline],
  ["readOnly", "readOnly", inline],
  ["capabilities", "caps", (c) => `drop ${words(c?.drops)}; add ${words(c?.adds)}`],
  ["securityOpts", "securityOpts", (v) => inline(v ?? [])],
  [
    "restart",
    "restart",
    (r, i) => `${inline(r)}${i.maxRetryCount === undefined ? "" : `, at most ${i.maxRetryCount} retries`}`,
  ],
  [
    "healthcheck",
    "healthcheck",
    (hc) =>
      hc === undefined
        ? "none"
        : `${commandLine(hc.tests)} | every ${hc.interval}, timeout ${hc.timeout}, start period ${hc.startPeriod}, retries ${hc.retries}`,
  ],
  [
    "tmpfs",
    "tmpfs",
    (t) =>
      Object.keys(t ?? {})
        .sort()
        .map((p) => `${p} ${t[p]}`),
  ],
  [
    "volumes",
    "volumes",
    (v) => list<Volume>(v, (m) => `${m.volumeName ?? m.hostPath} -> ${m.containerPath}${m.readOnly ? " (ro)" : ""}`),
  ],
  [
    "ports",
    "ports",
    (v) =>
      list<Port>(
        v,
        (p) => `${p.ip ?? "0.0.0.0"}:${p.external ?? "(engine picks)"} -> ${p.internal}/${p.protocol ?? "tcp"}`,
      ),
  ],
  [
    "networksAdvanced",
    "networks",
    (v, i) => [
      ...(i.networkMode === undefined ? [] : [`network mode ${inline(i.networkMode)}`]),
      ...list<NetworkAttachment>(v, (n) => `${n.name} (aliases: ${inline(n.aliases ?? [])})`),
    ],
  ],
  ["labels", "labels", labelLines],
  ["command", "command", (c) => (c === undefined ? "(image default)" : commandLine(c))],
  ["envs", "env", (e) => e ?? []],
];
const SHOWN = new Set([...CONTAINER_FIELDS.map(([input]) => input), "memorySwap", "maxRetryCount", "networkMode"]);

/**
 * A docker Container's inputs as readable lines (`inputs` already redacted). A secret input says
 * so in its key; one redacted whole shows `***` instead of being taken apart.
 */
export function containerLines(inputs: Record<string, any>, secretInputs: string[]): string[] {
  const lines = CONTAINER_FIELDS.flatMap(([input, label, render]) => {
    const secret = secretInputs.includes(input);
    const value = inputs[input];
    return field(secret ? `${label} (secret)` : label, value === REDACTED ? REDACTED : render(value, inputs));
  });
  const other = Object.keys(inputs)
    .filter((k) => !SHOWN.has(k))
    .sort();
  return [...lines, ...field("other", other.map((k) => `${k}=${inline(inputs[k])}`).join(" ") || "none")];
}

/** Any other resource: every input, sorted by key, on one line each (labels one per line). */
export function genericLines(inputs: Record<string, any>): string[] {
  return Object.keys(inputs)
    .sort()
    .flatMap((k) => field(k, k === "labels" && Array.isArray(inputs[k]) ? labelLines(inputs[k]) : inline(inputs[k])));
}
