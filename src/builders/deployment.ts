// SandboxedDeployment's builder: props -> ServiceAccount, Deployment, optional Service and PodDisruptionBudget.
import { KubeObject } from '../profile';
import type { SandboxedDeploymentProps } from '../constructs/sandboxed-deployment';
import { checkGvisorSeccomp } from './gvisor-annotations';
import { podTemplateAnnotations } from './pod-knobs';
import { buildPodSpec } from './pod';
import { Site, checkInteger, fail } from './validate';
import { WorkloadIdentity, buildServiceAccount, metadataOf, resolveIdentity, workloadMetadataOf } from './workload';

/** The plain objects of one SandboxedDeployment. */
export interface SandboxedDeploymentObjects {
  readonly identity: WorkloadIdentity;
  readonly serviceAccount: KubeObject;
  readonly deployment: KubeObject;
  readonly service?: KubeObject;
  readonly podDisruptionBudget?: KubeObject;
  /** Every object above, in emission order. */
  readonly objects: readonly KubeObject[];
}

/** Builds a SandboxedDeployment's objects; `defaultName` stands in for a missing `name`. */
export function buildSandboxedDeployment(where: string, props: SandboxedDeploymentProps, defaultName?: string): SandboxedDeploymentObjects {
  const site: Site = { where, prefix: '' };
  const identity = resolveIdentity(site, props, defaultName);
  const replicas = props.replicas === undefined ? 2 : checkInteger(site, 'replicas', props.replicas, 1, 10000);
  const podSpec = buildPodSpec(site, props, { serviceAccountName: identity.name, selectorLabels: identity.selectorLabels });

  const serviceAccount = buildServiceAccount(identity);
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: workloadMetadataOf(identity),
    spec: {
      replicas,
      selector: { matchLabels: { ...identity.selectorLabels } },
      template: { metadata: { labels: { ...identity.podLabels }, annotations: podTemplateAnnotations(site, props, podSpec, checkGvisorSeccomp(site, props.gvisorSeccomp)) }, spec: podSpec },
    },
  };

  let service: KubeObject | undefined;
  if (props.service) {
    const ports: any[] = podSpec.containers?.[0]?.ports ?? [];
    if (ports.length === 0) fail(site, 'service', true, 'a Service needs at least one port on the main container (props.ports)');
    // Service names are DNS-1035 labels: they must start with a letter (a DNS-1123 label may start with a digit).
    if (!/^[a-z]/.test(identity.name)) fail(site, 'name', identity.name, 'with service: true the name is also the Service\'s, a DNS-1035 label: it must start with a lowercase letter');
    service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadataOf(identity),
      spec: {
        type: 'ClusterIP',
        selector: { ...identity.selectorLabels },
        ports: ports.map((p) => ({ name: p.name ?? `${p.protocol.toLowerCase()}-${p.containerPort}`, port: p.containerPort, targetPort: p.containerPort, protocol: p.protocol })),
      },
    };
  }

  const podDisruptionBudget: KubeObject | undefined = replicas > 1 ? {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadataOf(identity),
    spec: { maxUnavailable: 1, selector: { matchLabels: { ...identity.selectorLabels } } },
  } : undefined;

  const objects = [serviceAccount, deployment, ...(service ? [service] : []), ...(podDisruptionBudget ? [podDisruptionBudget] : [])];
  return { identity, serviceAccount, deployment, ...(service ? { service } : {}), ...(podDisruptionBudget ? { podDisruptionBudget } : {}), objects };
}
