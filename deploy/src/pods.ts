import type { Manifest } from './manifests';

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

export interface Container {
  name: string;
  args?: string[];
  command?: string[];
  env?: EnvVar[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [field: string]: any;
}

/** The pod template's containers of a Deployment or Job (init containers apart). */
export function containersOf(workload: Manifest): Container[] {
  return workload.spec.template.spec.containers as Container[];
}

/** One variable of a container; throws naming the container when it is missing. */
export function envOf(container: Container, name: string): EnvVar {
  const found = container.env?.find((v) => v.name === name);
  if (!found) throw new Error(`container ${container.name} has no ${name}`);
  return found;
}
