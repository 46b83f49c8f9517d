// The reliable-queue pattern on Redis lists. Producers LPUSH task ids onto the namespace queue;
// a worker atomically moves the oldest id (right end) onto its own in-flight list with (B)LMOVE,
// and removes it from there only after the result is stored. Ids on the in-flight list of a dead
// worker are moved back to the head of the line by the orchestrator (requeueInflight).
import Redis, { type RedisOptions } from "ioredis";
import type { Logger } from "./log";
import { errorMessage } from "./log";

/**
 * How long disconnect() waits for Redis to close its side before dropping the socket (ioredis:
 * 2 s). A stopping worker disconnects its blocking connection to end the BLMOVE wait: with the
 * network gone no close ever comes, and 2 s is a test stack's whole stop grace.
 */
export const DISCONNECT_TIMEOUT_MS = 100;

export function createRedis(url: string, log: Logger, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 3, disconnectTimeout: DISCONNECT_TIMEOUT_MS, ...options });
  // ioredis reconnects by itself; without a listener every failed attempt prints a stack.
  redis.on("error", (error) => log.warn("redis connection error", { error: errorMessage(error) }));
  return redis;
}

export class TaskQueue {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  queueKey(namespace: string): string {
    return `${this.prefix}queue:${namespace}`;
  }

  inflightKey(namespace: string, workerId: string): string {
    return `${this.prefix}inflight:${namespace}:${workerId}`;
  }

  async enqueue(namespace: string, id: string): Promise<void> {
    await this.redis.lpush(this.queueKey(namespace), id);
  }

  /**
   * Takes the next id from one of `namespaces` onto this worker's in-flight list. Tries each
   * namespace without blocking (starting at `turn`, so none starves), then blocks on one for up to
   * `blockSeconds`. `blocking` must be a connection of its own: BLMOVE holds it while it waits.
   */
  async take(
    blocking: Redis,
    namespaces: string[],
    workerId: string,
    turn: number,
    blockSeconds: number,
  ): Promise<{ namespace: string; id: string } | undefined> {
    const order = namespaces.map((_, i) => namespaces[(turn + i) % namespaces.length]!);
    if (order.length > 1) {
      for (const ns of order) {
        const id = await this.redis.lmove(this.queueKey(ns), this.inflightKey(ns, workerId), "RIGHT", "LEFT");
        if (id !== null) return { namespace: ns, id };
      }
    }
    const ns = order[0]!;
    const id = await blocking.blmove(this.queueKey(ns), this.inflightKey(ns, workerId), "RIGHT", "LEFT", blockSeconds);
    return id === null ? undefined : { namespace: ns, id };
  }

  /** Drops the id from the worker's in-flight list once its outcome is stored. */
  async ack(namespace: string, workerId: string, id: string): Promise<void> {
    await this.redis.lrem(this.inflightKey(namespace, workerId), 1, id);
  }

  /** Moves every id on a worker's in-flight list back to the front of the queue; returns them. */
  async requeueInflight(namespace: string, workerId: string): Promise<string[]> {
    const moved: string[] = [];
    for (;;) {
      // One atomic move per id: two orchestrators reaping the same worker never duplicate an id.
      const id = await this.redis.lmove(
        this.inflightKey(namespace, workerId),
        this.queueKey(namespace),
        "RIGHT",
        "RIGHT",
      );
      if (id === null) return moved;
      moved.push(id);
    }
  }
}
