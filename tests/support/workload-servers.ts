// Real Postgres and Redis for the workload tests, from BERTH_TEST_DATABASE_URL and
// BERTH_TEST_REDIS_URL (`eval "$(bash .ci/services.sh)"` prints them). Each test gets a database
// of its own and a Redis key prefix of its own, both removed afterwards.
import Redis from "ioredis";
import { Client } from "pg";
import { envUrl, requireService, SERVICES_HINT } from "./required-service";

export interface TestServers {
  /** An admin connection URL (it can create databases). */
  databaseUrl: string;
  redisUrl: string;
}

async function probePostgres(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}

/**
 * For a `before` hook. With CI=true a missing server fails the suite; elsewhere the suite is
 * skipped with one line saying why (requireService).
 */
export async function requireServers(ctx: Mocha.Context): Promise<TestServers> {
  let databaseUrl = "";
  let redisUrl = "";
  await requireService(
    ctx,
    "PostgreSQL",
    async () => probePostgres((databaseUrl = envUrl("BERTH_TEST_DATABASE_URL"))),
    SERVICES_HINT,
  );
  await requireService(
    ctx,
    "Redis",
    async () => probeRedis((redisUrl = envUrl("BERTH_TEST_REDIS_URL"))),
    SERVICES_HINT,
  );
  return { databaseUrl, redisUrl };
}

let counter = 0;

export interface TestDatabase {
  name: string;
  url: string;
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A fresh, empty database berth_wl_<pid>_<n>. */
export async function createTestDatabase(servers: TestServers): Promise<TestDatabase> {
  const name = `berth_wl_${process.pid}_${++counter}`;
  const admin = new Client({ connectionString: servers.databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(servers.databaseUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async query(sql, params = []) {
      const client = new Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    async drop() {
      const c = new Client({ connectionString: servers.databaseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface TestRedis {
  prefix: string;
  client: Redis;
  /** Every key under the prefix, sorted. */
  keys(): Promise<string[]>;
  drop(): Promise<void>;
}

/** A Redis key prefix of its own: berth-test:<pid>:<n>: */
export function createTestRedis(servers: TestServers): TestRedis {
  const prefix = `berth-test:${process.pid}:${++counter}:`;
  const client = new Redis(servers.redisUrl, { maxRetriesPerRequest: 1 });
  const keys = async () => {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== "0");
    return found.sort();
  };
  return {
    prefix,
    client,
    keys,
    async drop() {
      const all = await keys();
      if (all.length > 0) await client.del(...all);
      client.disconnect();
    },
  };
}
