// The built-in task handlers. The orchestrator validates a task's input against its handler's
// schema before storing it, so a worker only ever runs input that fits.
import { setTimeout as sleep } from "node:timers/promises";
import * as z from "zod";

export interface Handler {
  /** What the input must be, for the 400 error text. */
  readonly inputRule: string;
  readonly input: z.ZodType;
  run(input: unknown): Promise<unknown>;
}

/** Thrown by a handler to fail its task with exactly this error text. */
export class TaskFailure extends Error {}

const MAX_SLEEP_MS = 600_000;

export const HANDLERS: Readonly<Record<string, Handler>> = {
  /** Returns its input unchanged. */
  echo: {
    inputRule: "any JSON value",
    input: z.unknown(),
    run: async (input) => input ?? null,
  },
  /** Adds up an array of numbers: [1, 2, 3] → 6. */
  sum: {
    inputRule: "an array of finite numbers",
    input: z.array(z.number()),
    run: async (input) => (input as number[]).reduce((total, n) => total + n, 0),
  },
  /** Waits, then answers {"sleptMs": ms}: a task that is reliably in flight for a while. */
  sleep: {
    inputRule: `an object {"ms": integer from 0 to ${MAX_SLEEP_MS}}`,
    input: z.strictObject({ ms: z.number().int().min(0).max(MAX_SLEEP_MS) }),
    run: async (input) => {
      const { ms } = input as { ms: number };
      await sleep(ms);
      return { sleptMs: ms };
    },
  },
  /** Always fails, with {"message"} as the error text when given. */
  fail: {
    inputRule: `null or an object {"message"?: string}`,
    input: z
      .strictObject({ message: z.string().max(1000).optional() })
      .nullable()
      .optional(),
    run: async (input) => {
      throw new TaskFailure((input as { message?: string } | null | undefined)?.message ?? "failed on purpose");
    },
  },
};

export const HANDLER_NAMES = Object.keys(HANDLERS).sort();

/** Own keys only: a task named "constructor" must not find Object's. */
export function findHandler(name: string): Handler | undefined {
  return Object.hasOwn(HANDLERS, name) ? HANDLERS[name] : undefined;
}

/** Undefined when valid, else the error text for a 400. */
export function inputProblem(name: string, input: unknown): string | undefined {
  const handler = findHandler(name);
  if (!handler) return `unknown handler ${JSON.stringify(name)} (known: ${HANDLER_NAMES.join(", ")})`;
  return handler.input.safeParse(input).success
    ? undefined
    : `invalid input for ${JSON.stringify(name)}: expected ${handler.inputRule}`;
}
