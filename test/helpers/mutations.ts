// The audit's mutation corpus: single weakenings of every sandboxed object of the hardened fixture and of
// dist/, each with the rule it must trip. The audit's mutation test and the admission policy's parity test
// both run it.
import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { SUPPRESS_ANNOTATION, jobSpecOf, parseImage, podTemplateOf, selectorMatches } from '../../src/profile';

export type Obj = any;

/** One single weakening of one kind of object. */
export interface Mutation {
  /** What it does, as a reviewer would say it. */
  readonly description: string;
  /** The kinds of object it weakens. */
  readonly kinds: readonly string[];
  /** The rule it must trip. */
  readonly expected: string;
  /** Rules it may trip as well because it implies them (a policy that selects nothing isolates nothing). */
  readonly implies?: readonly string[];
  /** Whether it can weaken this object of this set. @default always */
  readonly applies?: (obj: Obj, set: Obj[]) => boolean;
  /** Weakens `obj` (a copy, inside `set`, a copy too) and returns the weakened set. */
  readonly mutate: (obj: Obj, set: Obj[]) => Obj[];
  /** The object the expected finding names, when the weakening adds one to the set. @default the weakened object */
  readonly reportedOn?: (obj: Obj) => { readonly kind: string; readonly name: string };
}

const WORKLOADS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];
const spec = (o: Obj) => podTemplateOf(o)!.spec as Obj;
const sc = (o: Obj) => (spec(o).securityContext ??= {});
const c0 = (o: Obj) => spec(o).containers[0];
const csc = (o: Obj) => (c0(o).securityContext ??= {});
const ns = (o: Obj) => o.metadata?.namespace || 'default';
const labels = (o: Obj) => podTemplateOf(o)!.metadata.labels ?? {};
const policiesSelecting = (o: Obj, set: Obj[]) => set.filter((p) => p.kind === 'NetworkPolicy' && ns(p) === ns(o) && selectorMatches(p.spec?.podSelector ?? {}, labels(o)));
const podsIn = (namespace: string, set: Obj[]) => set.filter((o) => podTemplateOf(o) && ns(o) === namespace);
const inPlace = (fn: (o: Obj, set: Obj[]) => void) => (o: Obj, set: Obj[]) => { fn(o, set); return set; };
const withAnnotation = (value: string) => inPlace((o) => { o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [SUPPRESS_ANNOTATION]: value }; });
const hasInit = (o: Obj) => (spec(o).initContainers ?? []).length > 0;
const i0 = (o: Obj) => spec(o).initContainers[0];
const isc = (o: Obj) => (i0(o).securityContext ??= {});
/** Adds an ephemeral (debug) container: a hardened copy of the first container, then weakened by `weaken`. */
const withEphemeral = (weaken: (c: Obj) => void) => inPlace((o) => {
  const debug = structuredClone(c0(o));
  debug.name = 'debug';
  delete debug.ports;
  debug.securityContext ??= {};
  weaken(debug);
  spec(o).ephemeralContainers = [...(spec(o).ephemeralContainers ?? []), debug];
});
const addCapability = (spelling: string) => inPlace((o) => { csc(o).capabilities = { ...csc(o).capabilities, add: [spelling] }; });
/** Mounts claim `claim` in a sandboxed workload and adds the claim and the node-disk PersistentVolume behind it. */
const withHostClaim = (pv: Obj, pvc: Obj) => (o: Obj, set: Obj[]) => {
  spec(o).volumes = [...(spec(o).volumes ?? []), { name: 'data', persistentVolumeClaim: { claimName: pvc.metadata.name } }];
  return [...set, pv, { ...pvc, metadata: { ...pvc.metadata, namespace: ns(o) } }];
};
const pvOf = (name: string, source: Obj, extra: Obj = {}) => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', ...source, ...extra } });
const pvcOf = (name: string, extra: Obj = {}) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'manual', resources: { requests: { storage: '1Gi' } }, ...extra } });

export const MUTATIONS: readonly Mutation[] = [
  { description: 'drop the runtime class', kinds: WORKLOADS, expected: 'runtime-class', mutate: inPlace((o) => { delete spec(o).runtimeClassName; }) },
  { description: 'run under runc', kinds: WORKLOADS, expected: 'runtime-class', mutate: inPlace((o) => { spec(o).runtimeClassName = 'runc'; }) },
  { description: 'pod runAsNonRoot false', kinds: WORKLOADS, expected: 'run-as-non-root', mutate: inPlace((o) => { sc(o).runAsNonRoot = false; }) },
  { description: 'a container may run as root', kinds: WORKLOADS, expected: 'run-as-non-root', mutate: inPlace((o) => { csc(o).runAsNonRoot = false; }) },
  { description: 'UID 0', kinds: WORKLOADS, expected: 'run-as-high-uid', mutate: inPlace((o) => { csc(o).runAsUser = 0; }) },
  { description: 'a low UID', kinds: WORKLOADS, expected: 'run-as-high-uid', mutate: inPlace((o) => { csc(o).runAsUser = 1000; }) },
  { description: 'GID 0', kinds: WORKLOADS, expected: 'run-as-high-gid', mutate: inPlace((o) => { csc(o).runAsGroup = 0; }) },
  { description: 'no fsGroup', kinds: WORKLOADS, expected: 'run-as-high-gid', mutate: inPlace((o) => { delete sc(o).fsGroup; }) },
  { description: 'allowPrivilegeEscalation true', kinds: WORKLOADS, expected: 'no-privilege-escalation', mutate: inPlace((o) => { csc(o).allowPrivilegeEscalation = true; }) },
  { description: 'allowPrivilegeEscalation unset', kinds: WORKLOADS, expected: 'no-privilege-escalation', mutate: inPlace((o) => { delete csc(o).allowPrivilegeEscalation; }) },
  { description: 'set privileged', kinds: WORKLOADS, expected: 'not-privileged', mutate: inPlace((o) => { csc(o).privileged = true; }) },
  { description: 'remove drop: [ALL]', kinds: WORKLOADS, expected: 'drop-all-capabilities', mutate: inPlace((o) => { delete csc(o).capabilities.drop; }) },
  { description: 'add SYS_ADMIN', kinds: WORKLOADS, expected: 'drop-all-capabilities', mutate: inPlace((o) => { csc(o).capabilities = { ...csc(o).capabilities, add: ['SYS_ADMIN'] }; }) },
  {
    description: 'remove seccomp', kinds: WORKLOADS, expected: 'seccomp-runtime-default',
    mutate: inPlace((o) => { delete sc(o).seccompProfile; for (const c of [...spec(o).containers, ...(spec(o).initContainers ?? [])]) delete c.securityContext?.seccompProfile; }),
  },
  { description: 'seccomp Unconfined on a container', kinds: WORKLOADS, expected: 'seccomp-runtime-default', mutate: inPlace((o) => { csc(o).seccompProfile = { type: 'Unconfined' }; }) },
  { description: 'writable root filesystem', kinds: WORKLOADS, expected: 'read-only-root-filesystem', mutate: inPlace((o) => { csc(o).readOnlyRootFilesystem = false; }) },
  { description: 'hostNetwork', kinds: WORKLOADS, expected: 'no-host-namespaces', mutate: inPlace((o) => { spec(o).hostNetwork = true; }) },
  { description: 'hostPID', kinds: WORKLOADS, expected: 'no-host-namespaces', mutate: inPlace((o) => { spec(o).hostPID = true; }) },
  { description: 'hostIPC', kinds: WORKLOADS, expected: 'no-host-namespaces', mutate: inPlace((o) => { spec(o).hostIPC = true; }) },
  { description: 'a host port', kinds: WORKLOADS, expected: 'no-host-ports', mutate: inPlace((o) => { c0(o).ports = [...(c0(o).ports ?? []), { containerPort: 9999, hostPort: 9999 }]; }) },
  { description: 'a hostPath volume', kinds: WORKLOADS, expected: 'allowed-volume-types', mutate: inPlace((o) => { spec(o).volumes = [...(spec(o).volumes ?? []), { name: 'host', hostPath: { path: '/' } }]; }) },
  {
    description: 'a projected service-account token', kinds: WORKLOADS, expected: 'allowed-volume-types',
    mutate: inPlace((o) => { spec(o).volumes = [...(spec(o).volumes ?? []), { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }]; }),
  },
  { description: 'token automount on', kinds: WORKLOADS, expected: 'no-service-account-token', mutate: inPlace((o) => { spec(o).automountServiceAccountToken = true; }) },
  { description: 'token automount unset', kinds: WORKLOADS, expected: 'no-service-account-token', mutate: inPlace((o) => { delete spec(o).automountServiceAccountToken; }) },
  { description: 'ServiceAccount automounts its token', kinds: ['ServiceAccount'], expected: 'no-service-account-token', mutate: inPlace((o) => { o.automountServiceAccountToken = true; }) },
  { description: 'service links on', kinds: WORKLOADS, expected: 'no-service-links', mutate: inPlace((o) => { spec(o).enableServiceLinks = true; }) },
  { description: 'an unsafe sysctl', kinds: WORKLOADS, expected: 'baseline-security-options', mutate: inPlace((o) => { sc(o).sysctls = [{ name: 'kernel.msgmax', value: '65536' }]; }) },
  { description: 'procMount Unmasked', kinds: WORKLOADS, expected: 'baseline-security-options', mutate: inPlace((o) => { csc(o).procMount = 'Unmasked'; }) },
  { description: 'remove a CPU limit', kinds: WORKLOADS, expected: 'resource-limits', mutate: inPlace((o) => { delete c0(o).resources.limits.cpu; }) },
  { description: 'remove a memory request', kinds: WORKLOADS, expected: 'resource-limits', mutate: inPlace((o) => { delete c0(o).resources.requests.memory; }) },
  {
    description: 'an init container without a memory limit', kinds: WORKLOADS, expected: 'resource-limits',
    applies: (o) => (spec(o).initContainers ?? []).length > 0, mutate: inPlace((o) => { delete spec(o).initContainers[0].resources.limits.memory; }),
  },
  { description: 'remove the ephemeral-storage limit', kinds: WORKLOADS, expected: 'ephemeral-storage-limit', mutate: inPlace((o) => { delete c0(o).resources.limits['ephemeral-storage']; }) },
  { description: 'no deadline', kinds: ['Job', 'CronJob'], expected: 'job-limits', mutate: inPlace((o) => { delete jobSpecOf(o)!.spec.activeDeadlineSeconds; }) },
  { description: 'no TTL', kinds: ['Job', 'CronJob'], expected: 'job-limits', mutate: inPlace((o) => { delete jobSpecOf(o)!.spec.ttlSecondsAfterFinished; }) },
  { description: 'retries', kinds: ['Job', 'CronJob'], expected: 'job-limits', mutate: inPlace((o) => { jobSpecOf(o)!.spec.backoffLimit = 3; }) },
  { description: 'restartPolicy OnFailure', kinds: ['Job', 'CronJob'], expected: 'job-limits', mutate: inPlace((o) => { spec(o).restartPolicy = 'OnFailure'; }) },
  { description: 'image :latest', kinds: WORKLOADS, expected: 'image-pinned', mutate: inPlace((o) => { c0(o).image = `${parseImage(c0(o).image).name}:latest`; }) },
  { description: 'image without tag', kinds: WORKLOADS, expected: 'image-pinned', mutate: inPlace((o) => { c0(o).image = parseImage(c0(o).image).name; }) },
  {
    description: 'a Secret in env', kinds: WORKLOADS, expected: 'no-secret-env',
    mutate: inPlace((o) => { c0(o).env = [...(c0(o).env ?? []), { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'api-token', key: 'token' } } }]; }),
  },
  {
    description: 'delete the isolating policies', kinds: WORKLOADS, expected: 'network-isolation',
    applies: (o, set) => policiesSelecting(o, set).length > 0,
    mutate: (o, set) => { const gone = policiesSelecting(o, set); return set.filter((x) => !gone.includes(x)); },
  },
  {
    description: 'isolate ingress only', kinds: WORKLOADS, expected: 'network-isolation',
    applies: (o, set) => policiesSelecting(o, set).length > 0,
    mutate: inPlace((o, set) => { for (const p of policiesSelecting(o, set)) { p.spec.policyTypes = ['Ingress']; delete p.spec.egress; } }),
  },
  {
    description: 'make the policy select nothing', kinds: ['NetworkPolicy'], expected: 'network-policy-selects-pods', implies: ['network-isolation'],
    mutate: inPlace((o) => { o.spec.podSelector = { matchLabels: { 'cdk8s-sandbox.io/workload': 'no-such-workload' } }; }),
  },
  {
    description: 'move the policy to another namespace', kinds: ['NetworkPolicy'], expected: 'network-policy-selects-pods', implies: ['network-isolation'],
    applies: (o) => Object.keys(o.spec?.podSelector?.matchLabels ?? {}).length > 0 || (o.spec?.podSelector?.matchExpressions ?? []).length > 0,
    mutate: inPlace((o) => { o.metadata.namespace = 'elsewhere'; }),
  },
  {
    description: 'an egress rule with no peer', kinds: ['NetworkPolicy'], expected: 'egress-peers',
    mutate: inPlace((o) => { o.spec.policyTypes = [...new Set([...(o.spec.policyTypes ?? ['Ingress']), 'Egress'])]; o.spec.egress = [...(o.spec.egress ?? []), { ports: [{ port: 443, protocol: 'TCP' }] }]; }),
  },
  {
    description: 'an egress rule with an empty `to`', kinds: ['NetworkPolicy'], expected: 'egress-peers',
    mutate: inPlace((o) => { o.spec.policyTypes = [...new Set([...(o.spec.policyTypes ?? ['Ingress']), 'Egress'])]; o.spec.egress = [...(o.spec.egress ?? []), { to: [] }]; }),
  },
  {
    description: 'egress to 0.0.0.0/0', kinds: ['NetworkPolicy'], expected: 'egress-peers',
    mutate: inPlace((o) => { o.spec.policyTypes = [...new Set([...(o.spec.policyTypes ?? ['Ingress']), 'Egress'])]; o.spec.egress = [...(o.spec.egress ?? []), { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }]; }),
  },
  {
    description: 'an ipBlock except that forgets the metadata server', kinds: ['NetworkPolicy'], expected: 'egress-peers',
    applies: (o) => (o.spec?.egress ?? []).some((r: Obj) => (r.to ?? []).some((p: Obj) => p.ipBlock?.except?.includes('169.254.0.0/16'))),
    mutate: inPlace((o) => { for (const r of o.spec.egress) for (const p of r.to ?? []) if (p.ipBlock?.except) p.ipBlock.except = p.ipBlock.except.filter((e: string) => e !== '169.254.0.0/16'); }),
  },
  {
    description: 'namespace without pod-security enforce', kinds: ['Namespace'], expected: 'namespace-pod-security',
    applies: (o, set) => podsIn(o.metadata.name, set).length > 0, mutate: inPlace((o) => { delete o.metadata.labels['pod-security.kubernetes.io/enforce']; }),
  },
  {
    description: 'namespace enforcing baseline only', kinds: ['Namespace'], expected: 'namespace-pod-security',
    applies: (o, set) => podsIn(o.metadata.name, set).length > 0, mutate: inPlace((o) => { o.metadata.labels = { ...o.metadata.labels, 'pod-security.kubernetes.io/enforce': 'baseline' }; }),
  },
  {
    description: 'delete the ResourceQuota', kinds: ['Namespace'], expected: 'namespace-quota',
    applies: (o, set) => podsIn(o.metadata.name, set).length > 0, mutate: (o, set) => set.filter((x) => !(x.kind === 'ResourceQuota' && ns(x) === o.metadata.name)),
  },
  {
    description: 'delete the LimitRange', kinds: ['Namespace'], expected: 'namespace-quota',
    applies: (o, set) => podsIn(o.metadata.name, set).length > 0, mutate: (o, set) => set.filter((x) => !(x.kind === 'LimitRange' && ns(x) === o.metadata.name)),
  },
  {
    description: 'delete the PodDisruptionBudget of a replicated Deployment', kinds: ['Deployment', 'StatefulSet'], expected: 'availability',
    applies: (o) => o.spec.replicas > 1,
    mutate: (o, set) => set.filter((x) => !(x.kind === 'PodDisruptionBudget' && ns(x) === ns(o) && selectorMatches(x.spec?.selector, labels(o)))),
  },
  { description: 'a suppression without a reason', kinds: WORKLOADS, expected: 'suppression-reason', mutate: withAnnotation('image-pinned') },
  { description: 'a suppression of an unknown rule', kinds: WORKLOADS, expected: 'suppression-unknown-rule', mutate: withAnnotation('no-such-rule: because') },

  // Init containers overriding the pod's safe level, each on its own.
  { description: 'an init container runs as UID 0', kinds: WORKLOADS, expected: 'run-as-high-uid', applies: hasInit, mutate: inPlace((o) => { isc(o).runAsUser = 0; }) },
  { description: 'an init container runs as GID 0', kinds: WORKLOADS, expected: 'run-as-high-gid', applies: hasInit, mutate: inPlace((o) => { isc(o).runAsGroup = 0; }) },
  { description: 'an init container may run as root', kinds: WORKLOADS, expected: 'run-as-non-root', applies: hasInit, mutate: inPlace((o) => { isc(o).runAsNonRoot = false; }) },
  { description: 'an init container seccomp Unconfined', kinds: WORKLOADS, expected: 'seccomp-runtime-default', applies: hasInit, mutate: inPlace((o) => { isc(o).seccompProfile = { type: 'Unconfined' }; }) },
  { description: 'a privileged init container', kinds: WORKLOADS, expected: 'not-privileged', applies: hasInit, mutate: inPlace((o) => { isc(o).privileged = true; }) },
  { description: 'an init container may escalate', kinds: WORKLOADS, expected: 'no-privilege-escalation', applies: hasInit, mutate: inPlace((o) => { isc(o).allowPrivilegeEscalation = true; }) },
  { description: 'an init container with a writable root', kinds: WORKLOADS, expected: 'read-only-root-filesystem', applies: hasInit, mutate: inPlace((o) => { isc(o).readOnlyRootFilesystem = false; }) },
  { description: 'an init container adds SYS_ADMIN', kinds: WORKLOADS, expected: 'drop-all-capabilities', applies: hasInit, mutate: inPlace((o) => { isc(o).capabilities = { drop: ['ALL'], add: ['SYS_ADMIN'] }; }) },
  { description: 'an init container procMount Unmasked', kinds: WORKLOADS, expected: 'baseline-security-options', applies: hasInit, mutate: inPlace((o) => { isc(o).procMount = 'Unmasked'; }) },
  { description: 'an init container HostProcess', kinds: WORKLOADS, expected: 'no-host-process', applies: hasInit, mutate: inPlace((o) => { isc(o).windowsOptions = { hostProcess: true }; }) },
  // A container overriding the pod's safe level.
  { description: 'a container SELinux type spc_t', kinds: WORKLOADS, expected: 'baseline-security-options', mutate: inPlace((o) => { csc(o).seLinuxOptions = { type: 'spc_t' }; }) },
  { description: 'a container AppArmor Unconfined', kinds: WORKLOADS, expected: 'baseline-security-options', mutate: inPlace((o) => { csc(o).appArmorProfile = { type: 'Unconfined' }; }) },
  { description: 'a container HostProcess over the pod\'s false', kinds: WORKLOADS, expected: 'no-host-process', mutate: inPlace((o) => { sc(o).windowsOptions = { hostProcess: false }; csc(o).windowsOptions = { hostProcess: true }; }) },
  // Ephemeral (debug) containers: a hardened copy of the main container, weakened once.
  { description: 'a privileged ephemeral container', kinds: WORKLOADS, expected: 'not-privileged', mutate: withEphemeral((c) => { c.securityContext.privileged = true; }) },
  { description: 'an ephemeral container that may escalate', kinds: WORKLOADS, expected: 'no-privilege-escalation', mutate: withEphemeral((c) => { delete c.securityContext.allowPrivilegeEscalation; }) },
  { description: 'an ephemeral container adds SYS_PTRACE', kinds: WORKLOADS, expected: 'drop-all-capabilities', mutate: withEphemeral((c) => { c.securityContext.capabilities = { drop: ['ALL'], add: ['SYS_PTRACE'] }; }) },
  { description: 'an ephemeral container runs as UID 0', kinds: WORKLOADS, expected: 'run-as-high-uid', mutate: withEphemeral((c) => { c.securityContext.runAsUser = 0; }) },
  { description: 'an ephemeral HostProcess container', kinds: WORKLOADS, expected: 'no-host-process', mutate: withEphemeral((c) => { c.securityContext.windowsOptions = { hostProcess: true }; }) },
  { description: 'an ephemeral container on :latest', kinds: WORKLOADS, expected: 'image-pinned', mutate: withEphemeral((c) => { c.image = 'busybox:latest'; }) },
  // HostProcess, supplemental groups, sysctl values, shared process namespace.
  { description: 'pod HostProcess', kinds: WORKLOADS, expected: 'no-host-process', mutate: inPlace((o) => { sc(o).windowsOptions = { hostProcess: true, runAsUserName: 'NT AUTHORITY\\SYSTEM' }; }) },
  { description: 'supplementalGroups [0]', kinds: WORKLOADS, expected: 'run-as-high-gid', mutate: inPlace((o) => { sc(o).supplementalGroups = [0]; }) },
  { description: 'a low supplemental group beside a high one', kinds: WORKLOADS, expected: 'run-as-high-gid', mutate: inPlace((o) => { sc(o).supplementalGroups = [65534, 1000]; }) },
  { description: 'a safe sysctl smuggling another with "+"', kinds: WORKLOADS, expected: 'baseline-security-options', mutate: inPlace((o) => { sc(o).sysctls = [{ name: 'kernel.shm_rmid_forced', value: '1+kernel.core_pattern=|/bin/sh' }]; }) },
  { description: 'a safe sysctl value with "="', kinds: WORKLOADS, expected: 'baseline-security-options', mutate: inPlace((o) => { sc(o).sysctls = [{ name: 'net.ipv4.tcp_syncookies', value: '1 kernel.modprobe=/tmp/x' }]; }) },
  { description: 'shareProcessNamespace', kinds: WORKLOADS, expected: 'no-shared-process-namespace', mutate: inPlace((o) => { spec(o).shareProcessNamespace = true; }) },
  { description: 'hostUsers false', kinds: WORKLOADS, expected: 'gvisor-host-users', mutate: inPlace((o) => { spec(o).hostUsers = false; }) },
  // Capabilities in other spellings.
  { description: 'add sys_admin (lower case)', kinds: WORKLOADS, expected: 'drop-all-capabilities', mutate: addCapability('sys_admin') },
  { description: 'add CAP_SYS_ADMIN', kinds: WORKLOADS, expected: 'drop-all-capabilities', mutate: addCapability('CAP_SYS_ADMIN') },
  { description: 'add " SYS_ADMIN" (a leading space)', kinds: WORKLOADS, expected: 'drop-all-capabilities', mutate: addCapability(' SYS_ADMIN') },
  { description: 'drop [all] (lower case)', kinds: WORKLOADS, expected: 'drop-all-capabilities', mutate: inPlace((o) => { csc(o).capabilities = { ...csc(o).capabilities, drop: ['all'] }; }) },
  // The mutable tag in other cases.
  { description: 'image :LATEST', kinds: WORKLOADS, expected: 'image-pinned', mutate: inPlace((o) => { c0(o).image = `${parseImage(c0(o).image).name}:LATEST`; }) },
  { description: 'image :Latest', kinds: WORKLOADS, expected: 'image-pinned', mutate: inPlace((o) => { c0(o).image = `${parseImage(c0(o).image).name}:Latest`; }) },
  // Node storage behind a claim.
  {
    description: 'a claim bound to a hostPath PersistentVolume', kinds: WORKLOADS, expected: 'no-host-storage',
    mutate: withHostClaim(pvOf('node-root', { hostPath: { path: '/' } }), pvcOf('node-root', { volumeName: 'node-root' })),
  },
  {
    description: 'a claim a local PersistentVolume reserves', kinds: WORKLOADS, expected: 'no-host-storage',
    mutate: (o, set) => withHostClaim(pvOf('node-disk', { local: { path: '/mnt/disks/ssd1' } }, { claimRef: { namespace: ns(o), name: 'scratch' } }), pvcOf('scratch'))(o, set),
  },
  // The RuntimeClass a sandboxed pod names, running another runtime.
  {
    description: 'the pod\'s RuntimeClass runs runc', kinds: WORKLOADS, expected: 'runtime-class-handler',
    reportedOn: (o) => ({ kind: 'RuntimeClass', name: spec(o).runtimeClassName }),
    mutate: (o, set) => [...set, { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: spec(o).runtimeClassName }, handler: 'runc' }],
  },
  // Suppressions of what a sandbox can never waive.
  { description: 'suppress not-privileged', kinds: WORKLOADS, expected: 'suppression-unwaivable', mutate: withAnnotation('not-privileged: the debugger needs it') },
  {
    description: 'a privileged container with its suppression', kinds: WORKLOADS, expected: 'not-privileged', implies: ['suppression-unwaivable'],
    mutate: (o, set) => { csc(o).privileged = true; return withAnnotation('not-privileged: the debugger needs it')(o, set); },
  },
  {
    description: 'hostNetwork with its suppression', kinds: WORKLOADS, expected: 'no-host-namespaces', implies: ['suppression-unwaivable'],
    mutate: (o, set) => { spec(o).hostNetwork = true; return withAnnotation('no-host-namespaces: it serves on the node\'s address')(o, set); },
  },
  {
    description: 'a hostPath volume with its suppression', kinds: WORKLOADS, expected: 'allowed-volume-types', implies: ['suppression-unwaivable'],
    mutate: (o, set) => { spec(o).volumes = [...(spec(o).volumes ?? []), { name: 'host', hostPath: { path: '/var/log' } }]; return withAnnotation('allowed-volume-types: it ships the node\'s logs')(o, set); },
  },
];

const ROOT = path.resolve(__dirname, '..', '..');
export const load = (file: string) => (jsyaml.loadAll(fs.readFileSync(file, 'utf8')) as Obj[]).filter((o) => o && typeof o === 'object');

/** The sets to weaken: the hand-hardened fixture, and everything the example app synthesizes. */
export const BASE_SETS: { name: string; objects: Obj[] }[] = [
  { name: 'fixture', objects: load(path.join(ROOT, 'test', 'fixtures', 'audit', 'hardened.yaml')) },
  { name: 'dist', objects: fs.readdirSync(path.join(ROOT, 'dist')).filter((f) => /\.ya?ml$/.test(f)).sort().flatMap((f) => load(path.join(ROOT, 'dist', f))) },
];

/** Workloads are weakened only when they run in the sandbox; every other object always. */
export function isTarget(obj: Obj): boolean {
  const pod = podTemplateOf(obj);
  return !pod || typeof pod.spec.runtimeClassName === 'string';
}

