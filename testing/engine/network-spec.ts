// The engine-mode harness's translation of @pulumi/docker 5.2 Network inputs (as berth uses them) to
// the Engine API's network create body, following the upstream provider (ipam_config → IPAM.Config,
// ipam_driver "default"). Pure, so a table test pins every field; an input it does not know fails
// loudly instead of being dropped.
import type Dockerode from "dockerode";

/** Provider inputs this translation handles; anything else is an error. */
export const NETWORK_INPUTS = new Set([
  "name",
  "driver",
  "internal",
  "attachable",
  "labels",
  "ipamConfigs",
  "ipamDriver",
]);

interface IpamConfigInput {
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  auxAddress?: Record<string, string>;
}

export function networkCreateOptions(inputs: Record<string, any>): Dockerode.NetworkCreateOptions {
  const unknown = Object.keys(inputs).filter((k) => inputs[k] !== undefined && !NETWORK_INPUTS.has(k));
  if (unknown.length > 0)
    throw new Error(`engine mode does not implement Network inputs: ${unknown.sort().join(", ")}`);
  const configs: IpamConfigInput[] = inputs.ipamConfigs ?? [];
  return {
    Name: inputs.name,
    Driver: inputs.driver ?? "bridge",
    Internal: inputs.internal ?? false,
    Attachable: inputs.attachable ?? false,
    CheckDuplicate: true,
    Labels: Object.fromEntries((inputs.labels ?? []).map((l: { label: string; value: string }) => [l.label, l.value])),
    ...(configs.length === 0 && inputs.ipamDriver === undefined
      ? {}
      : {
          IPAM: {
            Driver: inputs.ipamDriver ?? "default",
            Config: configs.map((c) => ({
              ...(c.subnet !== undefined ? { Subnet: c.subnet } : {}),
              ...(c.ipRange !== undefined ? { IPRange: c.ipRange } : {}),
              ...(c.gateway !== undefined ? { Gateway: c.gateway } : {}),
              ...(c.auxAddress !== undefined ? { AuxiliaryAddresses: c.auxAddress } : {}),
            })),
          },
        }),
  };
}
