import * as pulumi from "@pulumi/pulumi";

/**
 * Options for a component's children: parented to it and waiting for whatever the component was
 * told to wait for. Pulumi does not pass a parent's dependsOn on to its children, so without this
 * a tier's containers would start before the gate of the tier below has passed.
 */
export function childOptions(
  parent: pulumi.Resource,
  opts: pulumi.ComponentResourceOptions,
): pulumi.CustomResourceOptions {
  return opts.dependsOn === undefined ? { parent } : { parent, dependsOn: opts.dependsOn };
}
