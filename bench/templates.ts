// The bench's cold case: an engine without berth's Postgres templates, as a fresh CI engine is.
import { setTimeout as sleep } from "node:timers/promises";
import type Docker from "dockerode";
import { TEMPLATE_LABEL, TEMPLATE_PREFIX } from "../components/postgres/template";

const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;

/**
 * Removes every template (helper container, then volume) that no other container mounts; returns
 * their names. A template another stack's Postgres still mounts stays (and says so in the list).
 */
export async function removeTemplates(docker: Docker): Promise<string[]> {
  const volumes = ((await docker.listVolumes()).Volumes ?? []).filter((v) => v.Name.startsWith(TEMPLATE_PREFIX));
  const removed: string[] = [];
  for (const v of volumes) {
    const users = await docker.listContainers({ all: true, filters: { volume: [v.Name] } });
    if (users.some((u) => !u.Labels[TEMPLATE_LABEL])) {
      removed.push(`${v.Name} (kept: in use)`);
      continue;
    }
    for (const u of users) await docker.getContainer(u.Id).remove({ force: true });
    await docker
      .getVolume(v.Name)
      .remove()
      .catch((err) => (statusOf(err) === 404 ? undefined : Promise.reject(err)));
    removed.push(v.Name);
  }
  return removed;
}

/** Waits until no template helper runs (at most `timeoutMs`). */
export async function templateHelpersDone(docker: Docker, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (
    (await docker.listContainers({ filters: { label: [TEMPLATE_LABEL], status: ["running", "created"] } })).length > 0
  ) {
    if (Date.now() > until) throw new Error(`a Postgres template helper still runs after ${timeoutMs} ms`);
    await sleep(200);
  }
}
