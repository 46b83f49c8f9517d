// ContainerFacts from the inputs of a `docker:index/container:Container` (@pulumi/docker 5.2.0
// ContainerArgs names). Getters, not a snapshot: during preview @pulumi/policy hands the props
// through a proxy that throws on unknown values, and a check must only touch what it reads.
import { ContainerFacts, HostMount, PidsFact, numberOr0, stringList } from "./container-facts";
import { LABELS } from "../../components/contract";

const MIB = 1024 * 1024;

/** `memory` is in MB, `cpus` a decimal string ("0.5"); labels are `[{ label, value }]`. */
export class ContainerArgsFacts implements ContainerFacts {
  constructor(private readonly props: Record<string, any>) {}

  get privileged(): boolean {
    return this.props.privileged === true;
  }
  get memoryBytes(): number {
    return Math.max(0, numberOr0(this.props.memory)) * MIB;
  }
  get nanoCpus(): number {
    const cpus = typeof this.props.cpus === "string" ? Number(this.props.cpus) : NaN;
    return Number.isFinite(cpus) && cpus > 0 ? Math.round(cpus * 1e9) : 0;
  }
  get cpuShares(): number {
    return numberOr0(this.props.cpuShares);
  }
  get cpuQuota(): number {
    return numberOr0(this.props.cpuQuota);
  }
  get readOnlyRootfs(): boolean {
    return this.props.readOnly === true;
  }
  get securityOpts(): string[] {
    return stringList(this.props.securityOpts);
  }
  get healthcheckTest(): string[] {
    const hc = this.props.healthcheck;
    return hc === undefined || hc === null ? [] : stringList(hc.tests);
  }
  // The provider has no pids argument: berth applies the limit after create and records it in a label.
  get pidsLimit(): PidsFact {
    const raw = this.label(LABELS.pidsLimit);
    const limit = raw !== undefined && /^[1-9][0-9]*$/.test(raw) ? Number(raw) : undefined;
    return { limit, source: `label ${LABELS.pidsLimit}`, raw: raw === undefined ? undefined : JSON.stringify(raw) };
  }
  get restart(): { name: string; maxRetries: number } {
    const name = typeof this.props.restart === "string" ? this.props.restart : "";
    return { name, maxRetries: numberOr0(this.props.maxRetryCount) };
  }
  get hostMounts(): HostMount[] {
    const volumes = Array.isArray(this.props.volumes) ? this.props.volumes : [];
    const mounts = Array.isArray(this.props.mounts) ? this.props.mounts : [];
    return [
      // Only hostPath is read: volumeName is often an Output unknown during preview.
      ...volumes
        .filter((v: any) => typeof v?.hostPath === "string" && v.hostPath !== "")
        .map((v: any): HostMount => ({ source: v.hostPath, target: String(v.containerPath ?? "") })),
      ...mounts
        .filter((m: any) => m?.type === "bind" && typeof m.source === "string" && m.source !== "")
        .map((m: any): HostMount => ({ source: m.source, target: String(m.target) })),
    ];
  }
  get networkMode(): string {
    return this.text("networkMode");
  }
  get pidMode(): string {
    return this.text("pidMode");
  }
  get ipcMode(): string {
    return this.text("ipcMode");
  }
  get capAdd(): string[] {
    return stringList(this.props.capabilities?.adds);
  }
  get capDrop(): string[] {
    return stringList(this.props.capabilities?.drops);
  }
  get hostPorts(): number[] {
    const ports = Array.isArray(this.props.ports) ? this.props.ports : [];
    return ports.map((p: any) => numberOr0(p?.external));
  }
  get user(): string {
    return this.text("user");
  }

  /** Reads only the matching entry's value, so other labels may be unknown during preview. */
  label(key: string): string | undefined {
    const labels = Array.isArray(this.props.labels) ? this.props.labels : [];
    const entry = labels.find((l: any) => l?.label === key);
    return typeof entry?.value === "string" ? entry.value : undefined;
  }

  private text(key: string): string {
    const value = this.props[key];
    return typeof value === "string" ? value : "";
  }
}
