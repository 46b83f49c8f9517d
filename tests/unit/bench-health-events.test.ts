import assert from "node:assert/strict";
import { allHealthyAt, HealthEvent, parseHealthEvent } from "../../bench/health-events";

// A line of the Engine API's event stream, as dockerd 20.10 sends it (trimmed ids).
const line = (action: string, attributes: Record<string, string>, timeNano: number, type = "container") =>
  JSON.stringify({
    status: action,
    id: "8705a0cb",
    from: "sha256:fad6",
    Type: type,
    Action: action,
    Actor: { ID: "8705a0cb", Attributes: { image: "sha256:fad6", ...attributes } },
    scope: "local",
    time: Math.floor(timeNano / 1e9),
    timeNano,
  });

describe("bench health events", () => {
  it("reads a health_status event: name, berth's service label, status, engine time in ms", () => {
    assert.deepEqual(
      parseHealthEvent(
        line(
          "health_status: healthy",
          { name: "berth-s-redis", "berth.service": "redis", "berth.stack": "s" },
          1795432972673314000,
        ),
      ),
      {
        name: "berth-s-redis",
        service: "redis",
        status: "healthy",
        atMs: 1795432972673.314,
      },
    );
  });

  it("reads docker-compose's service label", () => {
    assert.deepEqual(
      parseHealthEvent(
        line("health_status: unhealthy", { name: "p_worker-0_1", "com.docker.compose.service": "worker-0" }, 2_000_000),
      ),
      {
        name: "p_worker-0_1",
        service: "worker-0",
        status: "unhealthy",
        atMs: 2,
      },
    );
  });

  it("leaves the service out when the container has no service label", () => {
    assert.deepEqual(parseHealthEvent(line("health_status: starting", { name: "plain" }, 5_500_000)), {
      name: "plain",
      status: "starting",
      atMs: 5.5,
    });
  });

  it("ignores other events, other object types and blank lines", () => {
    assert.equal(parseHealthEvent(line("start", { name: "x" }, 1)), undefined);
    assert.equal(parseHealthEvent(line("exec_start: redis-cli ping", { name: "x" }, 1)), undefined);
    assert.equal(parseHealthEvent(line("health_status: healthy", { name: "x" }, 1, "network")), undefined);
    assert.equal(parseHealthEvent("  "), undefined);
  });

  const ev = (name: string, status: HealthEvent["status"], atMs: number): HealthEvent => ({ name, status, atMs });

  it("finds the first moment every container is healthy, whatever order the events came in", () => {
    const events = [ev("orchestrator", "healthy", 300), ev("postgres", "healthy", 100), ev("redis", "healthy", 150)];
    assert.equal(allHealthyAt(events, 3), 300);
    assert.equal(allHealthyAt(events, 2), 150);
  });

  it("counts a container that turned unhealthy again only from its next healthy event", () => {
    const events = [
      ev("a", "healthy", 100),
      ev("b", "healthy", 200),
      ev("a", "unhealthy", 250),
      ev("a", "healthy", 400),
    ];
    assert.equal(allHealthyAt(events, 2), 200);
    assert.equal(
      allHealthyAt(
        [ev("a", "healthy", 100), ev("a", "unhealthy", 150), ev("b", "healthy", 200), ev("a", "healthy", 400)],
        2,
      ),
      400,
    );
  });

  it("counts each container once however many healthy events it sends", () => {
    assert.equal(allHealthyAt([ev("a", "healthy", 100), ev("a", "healthy", 200)], 2), undefined);
  });

  it("fails when asked for fewer than one container", () => {
    assert.throws(() => allHealthyAt([], 0), { message: "count must be at least 1; got 0" });
  });
});
