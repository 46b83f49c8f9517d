// Container health, event-driven: subscribe to the engine's events for this container first, then
// inspect, so no transition between the two is lost; afterwards every change arrives as an event.
import type Docker from "dockerode";
import { createInterface } from "node:readline";
import { observeEvent, observeInspect, EngineEvent } from "./container-state";
import { engineAddress, engineUnreachableMessage, isEngineUnreachable, isNoSuchContainer, unreachableReason } from "./docker-client";
import { errorMessage, Observation, Probe, ProbeContext } from "./types";

const WATCHED_EVENTS = ["health_status", "die", "oom", "destroy"];

/** `docker` is called inside run: a malformed DOCKER_HOST then fails this probe, not the process. */
export function containerProbe(docker: () => Docker, ref: string): Probe {
  return { kind: "container", target: ref, run: (ctx) => watchContainer(docker, ref, ctx) };
}

async function watchContainer(getDocker: () => Docker, ref: string, ctx: ProbeContext): Promise<void> {
  let docker: Docker | undefined;
  let events: NodeJS.ReadableStream;
  try {
    docker = getDocker();
    // The engine flushes the response headers as soon as the subscription is live, so once this
    // resolves every later event for the container reaches us.
    events = await docker.getEvents({
      filters: { type: ["container"], container: [ref], event: WATCHED_EVENTS },
      abortSignal: ctx.signal,
    });
  } catch (err) {
    if (!ctx.signal.aborted) ctx.update(await engineFailure(docker, err));
    return;
  }

  // The name filter also matches names that merely start with `ref`: events count only once the
  // inspect has told us the container's id; until then they wait here, in order.
  let id: string | undefined;
  const early: EngineEvent[] = [];
  const onEvent = (event: EngineEvent): void => {
    if (id === undefined || event.Actor?.ID !== id || ctx.signal.aborted) return;
    const seen = observeEvent(event);
    if (seen?.state === "exited") void refineExit(docker, id, seen, ctx);
    else if (seen) ctx.update(seen);
  };
  const lost = (err?: unknown): void => {
    if (ctx.signal.aborted) return; // the gate ended and aborted the request: expected
    void engineFailure(docker, err ?? new Error("the engine closed the event stream")).then((o) => ctx.update(o));
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
    const info = await docker.getContainer(ref).inspect({ abortSignal: ctx.signal });
    id = info.Id;
    ctx.update(observeInspect(info));
    for (const event of early.splice(0)) onEvent(event);
  } catch (err) {
    if (ctx.signal.aborted) return;
    ctx.update(isNoSuchContainer(err) ? { state: "error", detail: "does not exist" } : await engineFailure(docker, err));
  }
}

function parseEvent(line: string): EngineEvent | undefined {
  try {
    return JSON.parse(line) as EngineEvent;
  } catch {
    return undefined; // blank keep-alive line
  }
}

/** A die event does not say whether the kernel's OOM killer did it: the inspect does. */
async function refineExit(docker: Docker, id: string, seen: Observation, ctx: ProbeContext): Promise<void> {
  let observation = seen;
  try {
    const after = observeInspect(await docker.getContainer(id).inspect());
    if (after.state === "oom" || after.state === "exited") observation = after;
  } catch {
    // removed right after dying (--rm): the event's exit code is all there is
  }
  if (!ctx.signal.aborted) ctx.update(observation);
}

async function engineFailure(docker: Docker | undefined, err: unknown): Promise<Observation> {
  if (!isEngineUnreachable(err)) return { state: "error", detail: `Docker engine error: ${errorMessage(err)}` };
  const address = await engineAddress(docker, process.env);
  return { state: "error", detail: engineUnreachableMessage(address, unreachableReason(err)), engineUnreachable: true };
}
