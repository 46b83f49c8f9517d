// Integration suites need real servers. Under CI (CI=true) a missing one fails the suite; on a
// developer machine it skips with one visible line saying why.
import Docker from "dockerode";
import type { Context } from "mocha";

export async function requireService(
  ctx: Context,
  what: string,
  check: () => Promise<void>,
  hint: string,
): Promise<void> {
  try {
    await check();
  } catch (err) {
    const why = `${what} is not available (${err instanceof Error ? err.message : String(err)}); ${hint}`;
    if (process.env.CI === "true") throw new Error(why, { cause: err });
    console.log(`    skipping: ${why}`);
    ctx.skip();
  }
}

/** The URL from the environment, or an error naming the variable to set. */
export function envUrl(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export const SERVICES_HINT = 'run `eval "$(bash .ci/services.sh)"` first';

/** The Docker engine `docker` talks to (the local one by default) answers its ping. */
export function requireEngine(ctx: Context, docker: Docker = new Docker()): Promise<void> {
  return requireService(
    ctx,
    "the Docker engine",
    async () => void (await docker.ping()),
    "run `bash .ci/services.sh` to start dockerd",
  );
}

/** The offline images can be built here: each check returns why not, or undefined. */
export function requireOfflineImages(
  ctx: Context,
  what: string,
  ...unavailable: Array<() => string | undefined>
): Promise<void> {
  return requireService(
    ctx,
    what,
    async () => {
      for (const check of unavailable) {
        const why = check();
        if (why) throw new Error(why);
      }
    },
    "run as root with debootstrap installed (`bash .ci/services.sh` installs it)",
  );
}

/** Root, for what only root may do (chown to another user). CI runs as root. */
export function requireRoot(ctx: Context, what: string): Promise<void> {
  return requireService(
    ctx,
    `root (${what})`,
    async () => {
      const uid = process.getuid?.();
      if (uid !== 0) throw new Error(`running as uid ${uid}`);
    },
    "run the suite as root",
  );
}
