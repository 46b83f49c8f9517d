// Snapshot and clone: after migrations, snapshot(name) copies the migrated database into a
// template; clone(name) gives a test its own database from it (CREATE DATABASE … TEMPLATE …,
// tens of milliseconds whatever the schema, where a new stack takes seconds); drop() and reap()
// remove clones. Work on one template is serialised across processes by an advisory lock (so a
// snapshot being replaced never races a clone), and within a process by a queue.
import { Client } from "pg";
import {
  checkName,
  clonePrefix,
  cloneName,
  CopyStrategy,
  createFromSql,
  DEFAULT_CLONE_PREFIX,
  dropSql,
  markTemplateSql,
  noTemplateMessage,
  notACloneMessage,
  ReapScope,
  Session,
  SESSIONS_SQL,
  sourceInUseMessage,
  TEMPLATE_LOCK_CLASS,
  templateExistsMessage,
  templateInUseMessage,
} from "./postgres-sql";
import { processTag, runId } from "./run-id";
import { withDatabase } from "./endpoints";

const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
const lockTimeoutOf = (opts: PostgresTemplatesOptions): number => opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;

export interface PostgresTemplatesOptions {
  /** The database the admin session uses for CREATE/DROP DATABASE. @default "postgres" */
  maintenanceDatabase?: string;
  /** Start of every clone's name; reap() matches on it. @default "berth_clone" */
  clonePrefix?: string;
  /** @default "FILE_COPY" (Postgres 15+; older servers always copy files) */
  strategy?: CopyStrategy;
  /** How long to wait while another process snapshots or clones the same template. @default 30000 */
  lockTimeoutMs?: number;
  /** The run id source (BERTH_RUN_ID). @default process.env */
  env?: NodeJS.ProcessEnv;
}

export interface Clone {
  /** The database's name (berth_clone_<run>_<process>_<n>). */
  name: string;
  /** The connection URL given to PostgresTemplates.connect, with this database. */
  url: string;
  /** Drops it, ending any session still connected. */
  drop(): Promise<void>;
}

// SQLSTATEs this module turns into messages that say what to do.
const OBJECT_IN_USE = "55006";
const UNDEFINED_DATABASE = "3D000";
const LOCK_NOT_AVAILABLE = "55P03";
const codeOf = (err: unknown): string | undefined => (err as { code?: string })?.code;

/** Clones made by this process: per process, not per instance, so two instances never pick one name. */
let made = 0;

export class PostgresTemplates {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly prefix: string;
  private readonly run: string;
  private readonly proc = processTag();

  private constructor(
    private readonly admin: Client,
    private readonly url: string,
    /** server_version_num, e.g. 150018. */
    readonly serverVersion: number,
    private readonly opts: PostgresTemplatesOptions,
  ) {
    this.prefix = checkName(opts.clonePrefix ?? DEFAULT_CLONE_PREFIX, "clonePrefix");
    this.run = runId(opts.env);
  }

  /** `url` reaches the server as a user that may create databases; its database is the default snapshot source. */
  static async connect(url: string, opts: PostgresTemplatesOptions = {}): Promise<PostgresTemplates> {
    const admin = new Client({
      connectionString: withDatabase(url, opts.maintenanceDatabase ?? "postgres"),
      application_name: "berth-testing",
    });
    await admin.connect();
    try {
      await admin.query(`SET lock_timeout = ${Math.round(lockTimeoutOf(opts))}`);
      const version = Number(
        (await admin.query<{ server_version_num: string }>("SHOW server_version_num")).rows[0].server_version_num,
      );
      return new PostgresTemplates(admin, url, version, opts);
    } catch (err) {
      await admin.end().catch(() => undefined);
      throw err;
    }
  }

  /** The prefix reap(scope) matches: every clone, this run's, or this process's. */
  clonePrefix(scope: ReapScope = "process"): string {
    return clonePrefix(this.prefix, scope, this.run, this.proc);
  }

  /**
   * Copies `from` (default: the URL's database) into the template `name`, closed to connections.
   * `from` must have no other session: end the migration's pool first.
   */
  async snapshot(name: string, opts: { from?: string; replace?: boolean } = {}): Promise<void> {
    checkName(name, "snapshot name");
    const from = checkName(opts.from ?? decodeURIComponent(new URL(this.url).pathname.slice(1)), "snapshot source");
    await this.serial(() =>
      this.locked(name, async () => {
        if (await this.exists(name)) {
          if (!opts.replace) throw new Error(templateExistsMessage(name));
          await this.dropDatabase(name, true);
        }
        const sessions = await this.sessions(from);
        if (sessions.length > 0) throw new Error(sourceInUseMessage(from, name, sessions));
        try {
          await this.admin.query(createFromSql(name, from, this.serverVersion, this.strategy));
        } catch (err) {
          if (codeOf(err) === OBJECT_IN_USE)
            throw new Error(sourceInUseMessage(from, name, await this.sessions(from)), { cause: err });
          if (codeOf(err) === UNDEFINED_DATABASE)
            throw new Error(`cannot snapshot "${from}": no database of that name`, { cause: err });
          throw err;
        }
        await this.admin.query(markTemplateSql(name, true));
      }),
    );
  }

  /** A new database copied from the template `template`, for one test (or one worker). */
  async clone(template: string): Promise<Clone> {
    checkName(template, "template name");
    const name = cloneName(this.prefix, this.run, this.proc, ++made);
    await this.serial(() =>
      this.locked(template, async () => {
        // Postgres would wait 5 s for these sessions before failing: say so at once.
        const sessions = await this.sessions(template);
        if (sessions.length > 0) throw new Error(templateInUseMessage(template, sessions));
        try {
          await this.admin.query(createFromSql(name, template, this.serverVersion, this.strategy));
        } catch (err) {
          if (codeOf(err) === OBJECT_IN_USE)
            throw new Error(templateInUseMessage(template, await this.sessions(template)), { cause: err });
          if (codeOf(err) === UNDEFINED_DATABASE) throw new Error(noTemplateMessage(template), { cause: err });
          throw err;
        }
      }),
    );
    return { name, url: withDatabase(this.url, name), drop: () => this.drop(name) };
  }

  /** Drops a clone, ending its sessions; only names this prefix made are accepted. */
  async drop(name: string): Promise<void> {
    if (!name.startsWith(`${this.prefix}_`)) throw new Error(notACloneMessage(name, this.prefix));
    await this.serial(() => this.dropDatabase(name, false));
  }

  /** Drops the clones of this process (default), of this run (every mocha worker's), or all; returns their names. */
  async reap(scope: ReapScope = "process"): Promise<string[]> {
    const prefix = this.clonePrefix(scope);
    return this.serial(async () => {
      const found = await this.admin.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE left(datname, length($1)) = $1 ORDER BY datname",
        [prefix],
      );
      const names = found.rows.map((r) => r.datname);
      for (const name of names) await this.dropDatabase(name, false);
      return names;
    });
  }

  /** Removes a template made by snapshot(). */
  async dropSnapshot(name: string): Promise<void> {
    checkName(name, "snapshot name");
    await this.serial(() => this.locked(name, () => this.dropDatabase(name, true)));
  }

  /** Other sessions connected to `database` (pg_stat_activity). */
  async sessions(database: string): Promise<Session[]> {
    return (await this.admin.query<Session>(SESSIONS_SQL, [database])).rows;
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.admin.end();
  }

  private get strategy(): CopyStrategy {
    return this.opts.strategy ?? "FILE_COPY";
  }

  private async exists(name: string): Promise<boolean> {
    return (await this.admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1;
  }

  private async dropDatabase(name: string, template: boolean): Promise<void> {
    // Postgres refuses to drop a template: unmark it first (when it exists).
    if (template && (await this.exists(name))) await this.admin.query(markTemplateSql(name, false));
    for (const sql of dropSql(name, this.serverVersion)) await this.admin.query(sql);
  }

  /** One admin session runs one statement at a time: chain this process's calls. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Holds the template's advisory lock (shared by every process on the server) around `work`. */
  private async locked<T>(template: string, work: () => Promise<T>): Promise<T> {
    try {
      await this.admin.query("SELECT pg_advisory_lock($1, hashtext($2))", [TEMPLATE_LOCK_CLASS, template]);
    } catch (err) {
      if (codeOf(err) !== LOCK_NOT_AVAILABLE) throw err;
      throw new Error(
        `waited ${lockTimeoutOf(this.opts)} ms for template "${template}": another session holds its lock (a snapshot or clone in progress, or one stuck). ` +
          `Find it with SELECT pid, application_name, state FROM pg_locks JOIN pg_stat_activity USING (pid) WHERE locktype = 'advisory' AND classid = ${TEMPLATE_LOCK_CLASS}`,
        { cause: err },
      );
    }
    try {
      return await work();
    } finally {
      await this.admin.query("SELECT pg_advisory_unlock($1, hashtext($2))", [TEMPLATE_LOCK_CLASS, template]);
    }
  }
}
