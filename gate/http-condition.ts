// The optional JSON condition of --http probes: "the body's field <key> holds at least n items".
import type { MinItems } from "./arg-parsers";

export type ConditionResult = { ok: boolean; detail: string };

export function checkMinItems(body: string, condition: MinItems): ConditionResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, detail: `body is not JSON (need ${condition.key} >= ${condition.min})` };
  }
  const need = `need >= ${condition.min}`;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || !(condition.key in parsed)) {
    return { ok: false, detail: `body has no top-level field "${condition.key}" (${need})` };
  }
  const value = (parsed as Record<string, unknown>)[condition.key];
  if (Array.isArray(value)) {
    const items = `${value.length} ${value.length === 1 ? "item" : "items"}`;
    return { ok: value.length >= condition.min, detail: `${condition.key}: ${items} (${need})` };
  }
  if (typeof value === "number") return { ok: value >= condition.min, detail: `${condition.key}: ${value} (${need})` };
  return { ok: false, detail: `${condition.key} is neither an array nor a number (${need})` };
}
