// Records the engine's health_status events for the containers matching a label filter, from
// before they exist: subscribe first, then bring the containers up.
import { createInterface } from "node:readline";
import Docker from "dockerode";
import { allHealthyAt, HealthEvent, parseHealthEvent } from "./health-events";

export class HealthWatch {
  readonly events: HealthEvent[] = [];
  private listeners: (() => void)[] = [];

  private constructor(private readonly stream: NodeJS.ReadableStream & { destroy(): void }) {
    createInterface({ input: stream }).on("line", (line) => {
      const e = parseHealthEvent(line);
      if (!e) return;
      this.events.push(e);
      for (const l of this.listeners) l();
    });
    stream.on("error", () => undefined); // destroy() on stop ends the stream with an error
  }

  /** Starts watching containers with `label` (e.g. "berth.stack=x"); resolves once subscribed. */
  static async start(docker: Docker, filters: { label?: string[]; container?: string[] }): Promise<HealthWatch> {
    const stream = (await docker.getEvents({
      filters: { type: ["container"], event: ["health_status"], ...filters },
    })) as NodeJS.ReadableStream & { destroy(): void };
    return new HealthWatch(stream);
  }

  /** Resolves with the engine time at which `count` containers were healthy at once. */
  allHealthy(count: number, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const at = allHealthyAt(this.events, count);
        if (at === undefined) return;
        done();
        resolve(at);
      };
      const timer = setTimeout(() => {
        done();
        const seen = this.events.map((e) => `${e.name} ${e.status}`).join(", ") || "no health event";
        reject(new Error(`${count} containers were not all healthy within ${timeoutMs} ms (seen: ${seen})`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
      };
      this.listeners.push(check);
      check();
    });
  }

  stop(): void {
    this.stream.destroy();
  }
}
