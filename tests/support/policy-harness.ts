// Calls CrossGuard policies the way @pulumi/policy does, collecting the violation messages.
import { strict as assert } from "node:assert";
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { CONTAINER_TYPE } from "../../policy/crossguard";

type Props = Record<string, any>;

export function validationArgs(props: Props, type: string, config: object, name = "web"): ResourceValidationArgs {
  return {
    type,
    props,
    urn: `urn:pulumi:test::berth::${type}::${name}`,
    name,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map(),
    isType: () => type === CONTAINER_TYPE,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string) => {
      throw new Error(`notApplicable: ${reason}`);
    },
  };
}

/** The messages the policy named `name` reports for one resource. */
export async function violationsOf(
  policies: ResourceValidationPolicy[],
  name: string,
  props: Props,
  opts: { type?: string; config?: object; resourceName?: string } = {},
): Promise<string[]> {
  const policy = policies.find((p) => p.name === name);
  assert.ok(policy, `no policy ${name}`);
  const messages: string[] = [];
  const report: ReportViolation = (message) => void messages.push(message);
  const validate = policy.validateResource;
  for (const v of Array.isArray(validate) ? validate : [validate])
    await v?.(validationArgs(props, opts.type ?? CONTAINER_TYPE, opts.config ?? {}, opts.resourceName), report);
  return messages;
}
