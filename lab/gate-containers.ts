// Throw-away busybox containers for the gate's integration tests: unique names per run, labelled
// berth.test=gate, all removed by removeAll() (call it in afterEach/after, it never throws).
import Docker from "dockerode";
import { ensureBusyboxImage } from "./images/busybox-image";

export const TEST_LABEL = { "berth.test": "gate" };

export interface HealthcheckSpec {
  /** Shell command run by /bin/sh -c inside the container. */
  test: string;
  intervalMs: number;
  retries?: number;
  startPeriodMs?: number;
}

export interface ContainerSpec {
  /** Shell script run as the container's main process. */
  script: string;
  healthcheck?: HealthcheckSpec;
  memoryMb?: number;
  /** Create without starting. */
  createOnly?: boolean;
}

const MS = 1_000_000; // the Engine API takes durations in nanoseconds

export class TestContainers {
  readonly docker = new Docker();
  private readonly created: string[] = [];
  private counter = 0;

  constructor(private readonly suite: string) {}

  /** berth-gatetest-<suite>-<pid>-<n>: unique per test process, so parallel runs never collide. */
  nextName(): string {
    this.counter += 1;
    return `berth-gatetest-${this.suite}-${process.pid}-${this.counter}`;
  }

  async start(spec: ContainerSpec, name = this.nextName()): Promise<string> {
    const image = ensureBusyboxImage();
    const memory =
      spec.memoryMb === undefined
        ? {}
        : { Memory: spec.memoryMb * 1024 * 1024, MemorySwap: spec.memoryMb * 1024 * 1024 };
    const health = spec.healthcheck;
    this.created.push(name);
    const container = await this.docker.createContainer({
      name,
      Image: image,
      Cmd: ["sh", "-c", spec.script],
      Labels: TEST_LABEL,
      Healthcheck: health && {
        Test: ["CMD-SHELL", health.test],
        Interval: health.intervalMs * MS,
        Timeout: 2000 * MS,
        Retries: health.retries ?? 3,
        StartPeriod: (health.startPeriodMs ?? 0) * MS,
      },
      HostConfig: { ...memory, AutoRemove: false },
    });
    if (!spec.createOnly) await container.start();
    return name;
  }

  async removeAll(): Promise<void> {
    const names = this.created.splice(0);
    await Promise.all(
      names.map((name) =>
        this.docker
          .getContainer(name)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
  }
}
