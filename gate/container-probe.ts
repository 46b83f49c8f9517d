// Container health, event-driven: subscribe to the engine's events for this container first, then
// inspect, so no transition between the two is lost; afterwards every change arrives as an event.
// With --pids-limit the limit is set before, and read back by, that inspect. With --ready the
// service's own answer also counts as healthy; the engine's die/OOM/unhealthy still fail at once.
import { createInterface } from "node:readline";
import { EngineEvent, NO_HEALTHCHECK, observeEvent, observeInspect } from "./container-state";
import type { EngineClient } from "./engine-client";
import { isEngineUnreachable, isNoSuchContainer, unreachableMessageFor } from "./engine-errors";
import type { ReadySource } from "./ready-probe";
import { errorMessage, Observation, Probe, ProbeContext, TERMINAL_STATES } from "./types";

const WATCHED_EVENTS = ["health_status", "die", "oom", "destroy"];

export interface ContainerWatch {
  ref: string;
  /** Set through the Engine API and read back before the container is watched. */
  pidsLimit?: number;
  /** The service's direct readiness probe. */
  ready?: ReadySource;
}

/** `engine` is called inside run: a malformed DOCKER_HOST then fails this probe, not the process. */
export function containerProbe(engine: () => EngineClient, watch: ContainerWatch): Probe {
  return { kind: "container", target: watch.ref, run: (ctx) => watchContainer(engine, watch, ctx) };
}

async function watchContainer(getEngine: () => EngineClient, watch: ContainerWatch, ctx: ProbeContext): Promise<void> {
  const { ref } = watch;
  const view = combinedView(watch, ctx);
  let engine: EngineClient | undefined;
  let events: NodeJS.ReadableStream;
  let limiting: Promise<unknown> = Promise.resolve(undefined);
  try {
    engine = getEngine();
    const limit = watch.pidsLimit;
    // The limit in parallel with the subscription (neither depends on the other), both before
    // the inspect that reads it back. The engine flushes the events response headers as soon as
    // the subscription is live, so once it resolves every later event for the container reaches us.
    if (limit !== undefined)
      limiting = engine.update(ref, { PidsLimit: limit }, ctx.signal).then(
        () => undefined,
        (err: unknown) => err ?? new Error("update failed"),
      );
    events = await engine.events({ type: ["container"], container: [ref], event: WATCHED_EVENTS }, ctx.signal);
  } catch (err) {
    if (!ctx.signal.aborted) view.docker(await failure(engine, err));
    return;
  }
  const limitError = await limiting;
  if (limitError !== undefined) {
    if (!ctx.signal.aborted)
      view.docker(await failure(engine, limitError, `pids limit ${watch.pidsLimit} not applied`));
    return;
  }

  // The name filter also matches names that merely start with `ref`: events count only once the
  // inspect has told us the container's id; until then they wait here, in order.
  let id: string | undefined;
  const early: EngineEvent[] = [];
  const onEvent = (event: EngineEvent): void => {
    if (id === undefined || event.Actor?.ID !== id || ctx.signal.aborted) return;
    const seen = observeEvent(event);
    if (seen?.state === "exited") void refineExit(engine!, id, seen, ctx, view.docker);
    else if (seen) view.docker(seen);
  };
  const lost = (err?: unknown): void => {
    if (ctx.signal.aborted) return; // the gate ended and aborted the request: expected
    void failure(engine, err ?? new Error("the engine closed the event stream")).then(view.docker);
  };
  events.on("error", lost);
  events.on("end", () => lost());
  // readline re-emits the stream's errors on the interface: handled above, so swallowed here.
  const lines = createInterface({ input: events }).on("error", () => undefined);
  lines.on("line", (line) => {
    const event = parseEvent(line);
    if (!event) return;
    if (id === undefined) early.push(event);
    else onEvent(event);
  });

  try {
    const info = await engine.inspect(ref, ctx.signal);
    id = info.Id;
    const applied = info.HostConfig.PidsLimit;
    if (watch.pidsLimit !== undefined && applied !== watch.pidsLimit) {
      return view.docker({
        state: "error",
        detail: `pids limit ${watch.pidsLimit} not applied: the engine accepted the update but reports PidsLimit ${applied ?? "unset"}`,
      });
    }
    view.docker(observeInspect(info));
    for (const event of early.splice(0)) onEvent(event);
  } catch (err) {
    if (ctx.signal.aborted) return;
    view.docker(await failure(engine, err));
  }
}

/**
 * What the gate sees of one container: the engine's view, and the --ready probe's once the
 * engine has been heard from (so a pids-limit failure or a dead container always wins).
 */
function combinedView(watch: ContainerWatch, ctx: ProbeContext): { docker(observation: Observation): void } {
  let engine: Observation | undefined;
  let ready: Observation | undefined;
  const emit = (): void => {
    if (!engine || ctx.signal.aborted) return;
    const direct = watch.ready;
    if (!direct) return ctx.update(engine);
    // Without a healthcheck only the --ready probe can tell; the engine's events still watch.
    const fromEngine =
      engine.detail === NO_HEALTHCHECK
        ? { state: "starting" as const, detail: "health: none (no healthcheck)" }
        : engine;
    if (TERMINAL_STATES.has(fromEngine.state) || fromEngine.state === "healthy") return ctx.update(fromEngine);
    const said = ready && `${direct.target}: ${ready.detail}`;
    if (ready?.state === "healthy" || ready?.state === "error")
      return ctx.update({ state: ready.state, detail: said! });
    ctx.update({ ...fromEngine, ...(said ? { pending: said } : {}) });
  };
  if (watch.ready) {
    watch.ready.subscribe(ctx.signal, (observation) => {
      ready = observation;
      emit();
    });
  }
  return {
    docker(observation) {
      engine = observation;
      emit();
    },
  };
}

function parseEvent(line: string): EngineEvent | undefined {
  try {
    return JSON.parse(line) as EngineEvent;
  } catch {
    return undefined; // blank keep-alive line
  }
}

/** A die event does not say whether the kernel's OOM killer did it: the inspect does. */
async function refineExit(
  engine: EngineClient,
  id: string,
  seen: Observation,
  ctx: ProbeContext,
  report: (o: Observation) => void,
): Promise<void> {
  let observation = seen;
  try {
    const after = observeInspect(await engine.inspect(id));
    if (after.state === "oom" || after.state === "exited") observation = after;
  } catch {
    // removed right after dying (--rm): the event's exit code is all there is
  }
  if (!ctx.signal.aborted) report(observation);
}

async function failure(
  engine: EngineClient | undefined,
  err: unknown,
  what = "Docker engine error",
): Promise<Observation> {
  if (isNoSuchContainer(err)) return { state: "error", detail: "does not exist" };
  if (isEngineUnreachable(err))
    return { state: "error", detail: await unreachableMessageFor(engine, err), engineUnreachable: true };
  // docker-modem ends its messages with a space
  return { state: "error", detail: `${what}: ${errorMessage(err).trim()}` };
}
