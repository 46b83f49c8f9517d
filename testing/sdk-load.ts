// Loads @pulumi/pulumi with the two tools of its closure serializer deferred to their first use:
// TypeScript's compiler (about 0.5 s to load) and npm's Arborist (about 0.3 s). The SDK requires
// both when it loads, for pulumi.runtime.serializeFunction (dynamic providers, callbacks), which
// neither engine mode nor the recorder calls; a process that starts an engine-mode up paid them on
// every spawn, two thirds of its start-up. A process that does serialize a function gets the real
// module on first touch. Import this before anything that imports @pulumi/pulumi; if the SDK is
// already loaded (a test runner's own import, ts-node's TypeScript), it changes nothing. The hook
// is installed only while the SDK loads.
import Module from "node:module";

type Load = (this: unknown, request: string, parent: NodeJS.Module | undefined, isMain: boolean) => unknown;

/** What the closure serializer's modules require at load and only use when serializing. */
const DEFERRED = new Set(["../../typescript-shim", "@npmcli/arborist"]);
const CLOSURE_MODULES = /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]closure[\\/]/;

/**
 * A stand-in for a module that loads it on first use. `__esModule` answers true without loading,
 * so TypeScript's `__importStar` keeps the stand-in instead of copying its keys (which would load).
 */
export function deferredModule(load: () => object): object {
  let real: object | undefined;
  const target = () => (real ??= load());
  return new Proxy(
    {},
    {
      get: (_t, key) => (key === "__esModule" && real === undefined ? true : Reflect.get(target(), key)),
      has: (_t, key) => Reflect.has(target(), key),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_t, key) => {
        const d = Reflect.getOwnPropertyDescriptor(target(), key);
        return d && { ...d, configurable: true };
      },
    },
  );
}

/** Requires `id` with the closure serializer's tools deferred; the loader is restored after. */
export function loadDeferringClosureTools(id: string): unknown {
  const loader = Module as unknown as { _load: Load };
  const original = loader._load;
  loader._load = function (request, parent, isMain) {
    if (DEFERRED.has(request) && parent && CLOSURE_MODULES.test(parent.filename))
      return deferredModule(() => original.call(this, request, parent, isMain) as object);
    return original.call(this, request, parent, isMain);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the point: a require while the hook is in
    return require(id);
  } finally {
    loader._load = original;
  }
}

loadDeferringClosureTools("@pulumi/pulumi");
