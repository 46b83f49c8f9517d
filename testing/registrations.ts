// Pulumi's mocks hand `newResource` the type, name and inputs of a registration but not its
// resource options; the recorder and engine mode both need some of them (replaceOnChanges,
// deleteBeforeReplace decide what an input change does). They read them here, from the request
// the SDK sends the mock monitor, before the mock answers it.
import * as pulumi from "@pulumi/pulumi";

/** What a registration request carries beyond MockResourceArgs. */
export interface RegistrationOptions {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent: string;
  /** The request's inputs, serialized (secrets still wrapped). */
  rawInputs: Record<string, any>;
  /** URNs this resource waits for (explicit dependsOn, expanded, plus input dependencies), sorted. */
  dependencies: string[];
  replaceOnChanges: string[];
  deleteBeforeReplace: boolean;
  provider: string;
}

/**
 * Calls `seen` with each registration's options as the SDK sends it to the mock monitor (call after
 * setMocks). `seen` may return a function called with the request's deserialized inputs once the
 * mock has answered.
 */
export function onRegistration(seen: (r: RegistrationOptions) => ((inputs: Record<string, any>) => void) | void): void {
  const monitor: any = (pulumi.runtime as any).getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, resp: unknown) => void) => {
    const answered = seen({
      urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      parent: req.getParent(),
      rawInputs: req.getObject()?.toJavaScript() ?? {},
      dependencies: [...req.getDependenciesList()].sort(),
      replaceOnChanges: req.getReplaceonchangesList(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
      provider: req.getProvider(),
    });
    return register(req, (err: unknown, resp: unknown) => {
      answered?.(pulumi.runtime.deserializeProperties(req.getObject()));
      callback(err, resp);
    });
  };
}
