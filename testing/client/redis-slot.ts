// Redis per test worker: a database index of its own (SELECT n), or — where indexes run out or a
// Redis has only one (cluster, some managed services) — a key prefix of its own in one keyspace.
// flush() empties exactly that slot between tests. Index 0 is left out by default: it is the
// application's (the reference workload keeps its queues there).
import Redis from "ioredis";
import { redactUrl } from "../../gate/redact";
import { withDatabase } from "./endpoints";
import { runId, workerIndex } from "./run-id";

export type RedisSlotMode = "database" | "prefix";

export interface RedisSlotOptions {
  /** @default "database" */
  mode?: RedisSlotMode;
  /** Which worker this is. @default the mocha parallel worker's index (MOCHA_WORKER_ID), 0 outside parallel mode */
  worker?: number;
  /** Database mode: worker w gets index firstIndex + w. @default 1 (0 is the application's) */
  firstIndex?: number;
  /** Prefix mode: worker w's keys start with `${keyPrefix}w${w}:`. @default `berth-test:<run id>:` */
  keyPrefix?: string;
  /** @default process.env (worker index and run id) */
  env?: NodeJS.ProcessEnv;
}

export interface RedisSlot {
  mode: RedisSlotMode;
  /** A URL for this slot: with the database index in database mode (what an app under test takes). */
  url: string;
  db: number;
  /** Prefix mode: the prefix every key of this slot must carry (the client adds it). */
  keyPrefix?: string;
  /** A client on the slot (database selected, or keys prefixed). */
  client: Redis;
  /** Empties the slot: FLUSHDB of its index, or every key under its prefix. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Worker w's database index; throws saying what to change when the server has too few. */
export function slotIndex(worker: number, firstIndex: number, databases: number, where: string): number {
  const index = firstIndex + worker;
  if (index < databases) return index;
  throw new Error(
    `Redis at ${where} has ${databases} database${databases === 1 ? "" : "s"} (indexes 0–${databases - 1}, \`databases\` in its config); ` +
      `test worker ${worker} needs index ${index} (firstIndex ${firstIndex} + worker ${worker}). ` +
      `Run at most ${Math.max(0, databases - firstIndex)} workers (mocha --jobs), raise \`databases\` in the Redis config, or use { mode: "prefix" } (one keyspace, a key prefix per worker).`,
  );
}

/** A SCAN MATCH pattern for keys starting with `prefix`: glob characters in it are escaped. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
}

/** `url` with the database index as its path, ioredis-style. */
export function withDb(url: string, db: number): string {
  return withDatabase(url, String(db));
}

/** The server's `databases` setting, or undefined where CONFIG is not allowed (managed Redis). */
async function databaseCount(redis: Redis): Promise<number | undefined> {
  try {
    const reply = (await redis.config("GET", "databases")) as string[];
    return reply.length === 2 ? Number(reply[1]) : undefined;
  } catch {
    return undefined;
  }
}

const redacted = (url: string) => redactUrl(url) ?? "the given URL";

/** Opens this worker's slot and flushes it, so a worker starts empty whatever an earlier run left. */
export async function openRedisSlot(url: string, opts: RedisSlotOptions = {}): Promise<RedisSlot> {
  const mode = opts.mode ?? "database";
  const worker = opts.worker ?? workerIndex(opts.env);
  if (!Number.isInteger(worker) || worker < 0) throw new Error(`worker must be a whole number; got ${worker}`);
  if (opts.firstIndex !== undefined && !(Number.isInteger(opts.firstIndex) && opts.firstIndex >= 0))
    throw new Error(`firstIndex must be a whole number; got ${opts.firstIndex}`);
  const options = { lazyConnect: true, maxRetriesPerRequest: 1 };
  if (mode === "prefix") {
    const keyPrefix = `${opts.keyPrefix ?? `berth-test:${runId(opts.env)}:`}w${worker}:`;
    const base = Number(new URL(url).pathname.slice(1) || 0);
    // ioredis prefixes commands' keys but not SCAN patterns: flush scans with a plain client.
    const plain = new Redis(url, options);
    const client = new Redis(url, { ...options, keyPrefix });
    await Promise.all([plain.connect(), client.connect()]);
    const flush = async () => {
      let cursor = "0";
      do {
        const [next, keys] = await plain.scan(cursor, "MATCH", prefixPattern(keyPrefix), "COUNT", 1000);
        if (keys.length > 0) await plain.unlink(...keys);
        cursor = next;
      } while (cursor !== "0");
    };
    await flush();
    return {
      mode,
      url,
      db: base,
      keyPrefix,
      client,
      flush,
      close: async () => void (await Promise.all([plain.quit(), client.quit()])),
    };
  }

  const probe = new Redis(url, options);
  let db: number;
  try {
    await probe.connect();
    const databases = await databaseCount(probe);
    db =
      databases === undefined
        ? (opts.firstIndex ?? 1) + worker
        : slotIndex(worker, opts.firstIndex ?? 1, databases, redacted(url));
  } finally {
    probe.disconnect();
  }
  // SELECT explicitly: with ioredis' `db` option a refused index is only an error event, and the
  // client goes on in database 0 — the application's, which flush() would then empty.
  const client = new Redis(url, options);
  try {
    await client.connect();
    await client.select(db);
  } catch (err) {
    client.disconnect();
    // Without CONFIG the limit shows only here ("ERR DB index is out of range").
    throw new Error(
      `Redis at ${redacted(url)} refused database ${db} for test worker ${worker}: ${(err as Error).message}. Use fewer workers, a lower firstIndex, or { mode: "prefix" }`,
      { cause: err },
    );
  }
  const flush = async () => void (await client.flushdb());
  await flush();
  return { mode, url: withDb(url, db), db, client, flush, close: async () => void (await client.quit()) };
}
