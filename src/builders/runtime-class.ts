// GvisorRuntimeClass's builder: on self-managed clusters, the RuntimeClass that maps `gvisor` to runsc.
import type { GvisorRuntimeClassProps } from '../constructs/gvisor-runtime-class';
import { GVISOR_RUNTIME_HANDLERS, KubeObject, MANAGED_BY_LABEL } from '../profile';
import { Site, checkByteQuantity, checkDnsSubdomain, checkQuantity, fail } from './validate';

/** Where the cluster's gVisor comes from. */
export enum SandboxPlatform {
  /** GKE Sandbox: GKE installs the `gvisor` RuntimeClass (with its node selector and toleration); nothing is emitted. */
  GKE = 'gke',
  /** A cluster whose containerd has a `runsc` runtime: the RuntimeClass is emitted. */
  SELF_MANAGED = 'self-managed',
}

/** A node toleration of the RuntimeClass's scheduling (never put on pods directly). */
export interface RuntimeClassToleration {
  /** Taint key. */
  readonly key: string;
  /**
   * Taint value (operator Equal); unset means operator Exists.
   * @default - any value
   */
  readonly value?: string;
  /**
   * Taint effect.
   * @default - every effect
   */
  readonly effect?: string;
}

/** The RuntimeClass name and the object to emit (none on GKE). */
export function buildGvisorRuntimeClass(where: string, spec: GvisorRuntimeClassProps): { name: string; runtimeClass?: KubeObject } {
  const site: Site = { where, prefix: '' };
  const name = checkDnsSubdomain(site, 'name', spec.name ?? 'gvisor');
  if (spec.platform === SandboxPlatform.GKE) {
    for (const key of ['handler', 'overheadCpu', 'overheadMemory', 'nodeSelector', 'tolerations'] as const) {
      if (spec[key] !== undefined) fail(site, key, spec[key], 'GKE provides the gvisor RuntimeClass itself; this setting only applies to SandboxPlatform.SELF_MANAGED');
    }
    if (name !== 'gvisor') fail(site, 'name', name, 'GKE Sandbox installs the RuntimeClass "gvisor"; pods naming another one would never schedule');
    return { name };
  }
  if (spec.platform !== SandboxPlatform.SELF_MANAGED) fail(site, 'platform', spec.platform, `allowed: ${Object.values(SandboxPlatform).join(', ')}`);
  const handler = spec.handler ?? 'runsc';
  if (!GVISOR_RUNTIME_HANDLERS.includes(handler)) {
    fail(site, 'handler', handler, `allowed: ${GVISOR_RUNTIME_HANDLERS.map((h) => JSON.stringify(h)).join(' or ')}, the containerd runtimes that run gVisor; pods naming the RuntimeClass "${name}" with another handler (runc, kata, crun) would run without the sandbox`);
  }
  const podFixed: { [key: string]: string } = {};
  if (spec.overheadCpu !== undefined) podFixed.cpu = checkQuantity(site, 'overheadCpu', spec.overheadCpu, '100m');
  if (spec.overheadMemory !== undefined) podFixed.memory = checkByteQuantity(site, 'overheadMemory', spec.overheadMemory, '64Mi');
  const tolerations = (spec.tolerations ?? []).map((t, i) => {
    if (!t.key) fail({ where, prefix: `tolerations[${i}]` }, 'key', t.key, 'a toleration names the taint key');
    return { key: t.key, operator: t.value === undefined ? 'Exists' : 'Equal', ...(t.value !== undefined ? { value: t.value } : {}), ...(t.effect ? { effect: t.effect } : {}) };
  });
  const nodeSelector = spec.nodeSelector && Object.keys(spec.nodeSelector).length > 0 ? { ...spec.nodeSelector } : undefined;
  const scheduling = nodeSelector || tolerations.length > 0 ? { ...(nodeSelector ? { nodeSelector } : {}), ...(tolerations.length > 0 ? { tolerations } : {}) } : undefined;
  const runtimeClass: KubeObject = {
    apiVersion: 'node.k8s.io/v1',
    kind: 'RuntimeClass',
    metadata: { name, labels: { ...MANAGED_BY_LABEL } },
    handler,
    ...(Object.keys(podFixed).length > 0 ? { overhead: { podFixed } } : {}),
    ...(scheduling ? { scheduling } : {}),
  };
  return { name, runtimeClass };
}
