// The CrossGuard policies: one ResourceValidationPolicy per CIS rule of catalog.ts, over the inputs
// of `docker:index/container:Container`. Pure: importing this file constructs no PolicyPack (only
// index.ts does, because a PolicyPack starts the analyzer server the engine talks to).
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyPackArgs,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
} from "@pulumi/policy";
import { ContainerArgsFacts } from "./facts/args";
import { CisRule, RULES, RuleOptions, evaluate } from "./catalog";
import { DEFAULT_ALLOWED_CAPABILITIES, LABELS } from "../components/contract";

export const CONTAINER_TYPE = "docker:index/container:Container";
export const PACK_NAME = "berth-cis-docker";

const CIS = {
  name: "CIS Docker Benchmark",
  version: "1.6.0",
  reference: "https://www.cisecurity.org/benchmark/docker",
};

const CAPABILITY_SCHEMA: PolicyConfigSchema = {
  properties: {
    allowedCapabilities: {
      type: "array",
      items: { type: "string" },
      default: [...DEFAULT_ALLOWED_CAPABILITIES],
      description: "Capabilities a container may add back after dropping ALL.",
    },
  },
};

/** Policy config keys (set with `--policy-pack-config`); enforcementLevel is always configurable too. */
interface PolicyConfig {
  allowedCapabilities?: string[];
}

/** The violation text: rule id and title, what was found, how to fix it in berth terms. */
export function violationMessage(rule: CisRule, detail: string, service: string): string {
  return `CIS ${rule.id} (${rule.title}): ${detail}. Fix: ${rule.fix(service)}.`;
}

// The berth.service label names the config section (berth:hardening.<service>); it only decorates
// the message, so a value unknown during preview must not stop the check.
function serviceOf(facts: ContainerArgsFacts): string {
  try {
    return facts.label(LABELS.service) ?? "<service>";
  } catch {
    return "<service>";
  }
}

function ruleOptions(args: ResourceValidationArgs): RuleOptions {
  const config = args.getConfig<PolicyConfig>();
  return { allowedCapabilities: config.allowedCapabilities ?? [...DEFAULT_ALLOWED_CAPABILITIES] };
}

/** One rule as a policy for docker.Container resources. */
export function containerPolicy(rule: CisRule, enforcementLevel: EnforcementLevel): ResourceValidationPolicy {
  return {
    name: rule.name,
    // The engine prints the description, then the violation message, on the next line.
    description: `CIS Docker Benchmark v1.6.0 ${rule.id} for docker.Container: ${rule.title}.`,
    displayName: `CIS ${rule.id} ${rule.title}`,
    enforcementLevel,
    severity: rule.severity,
    framework: { ...CIS, specification: rule.id },
    tags: ["docker", "cis", "container-runtime"],
    remediationSteps: rule.fix("<service>"),
    ...(rule.name === "container-capabilities-dropped" ? { configSchema: CAPABILITY_SCHEMA } : {}),
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      if (args.type !== CONTAINER_TYPE) return;
      const facts = new ContainerArgsFacts(args.props);
      const outcome = evaluate(rule, facts, ruleOptions(args));
      if (!outcome.passed) reportViolation(violationMessage(rule, outcome.detail, serviceOf(facts)));
    },
  };
}

export interface EnforcementSettings {
  /** @default "mandatory" — what the test stack uses. */
  enforcementLevel?: EnforcementLevel;
  /** Per policy name; `--policy-pack-config` can still override any of them at run time. */
  overrides?: Record<string, EnforcementLevel>;
}

/** Every rule as a policy, each with its enforcement level. */
export function containerPolicies(settings: EnforcementSettings = {}): ResourceValidationPolicy[] {
  const level = settings.enforcementLevel ?? "mandatory";
  const overrides = settings.overrides ?? {};
  const unknown = Object.keys(overrides).filter((name) => !RULES.some((r) => r.name === name));
  if (unknown.length > 0)
    throw new Error(
      `unknown policy name(s) in overrides: ${unknown.join(", ")}; known: ${RULES.map((r) => r.name).join(", ")}`,
    );
  return RULES.map((rule) => containerPolicy(rule, overrides[rule.name] ?? level));
}

/** The PolicyPack's arguments (index.ts passes them to `new PolicyPack(PACK_NAME, …)`). */
export function policyPackArgs(settings: EnforcementSettings = {}): PolicyPackArgs {
  return {
    description:
      "CIS Docker Benchmark v1.6.0 container-runtime rules (section 5, and 4.1) for docker.Container resources.",
    enforcementLevel: settings.enforcementLevel ?? "mandatory",
    policies: containerPolicies(settings),
  };
}
