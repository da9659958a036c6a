// The hardening profile's per-object rules (src/profile/rules.ts): for every rule id, fixtures that pass
// and fixtures that fail, each failure asserting the exact rule id and JSON path reported. Fixtures are
// hand-written plain objects (not builder output), so a wrong builder cannot make a wrong rule look right.
import { CheckOptions, KubeObject, RULES, STORAGE_RULES, checkObject, isUnwaivable, podTemplateOf, ruleById } from '../src/profile';

/** A container that satisfies every rule. */
function hardenedContainer(name: string): any {
  return {
    name,
    image: 'registry.example/app:1.2.3',
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    env: [{ name: 'HOME', value: '/tmp' }, { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } }],
    resources: {
      requests: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' },
      limits: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '256Mi' },
    },
    securityContext: {
      runAsNonRoot: true, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

/** A pod spec that satisfies every rule: one init container and one main container. */
function hardenedPodSpec(): any {
  return {
    runtimeClassName: 'gvisor',
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
    initContainers: [hardenedContainer('init')],
    containers: [hardenedContainer('main')],
    volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }, { name: 'settings', configMap: { name: 'settings' } }],
  };
}

function pod(): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'sandbox' }, spec: hardenedPodSpec() };
}

function job(): any {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'sandbox' },
    spec: { activeDeadlineSeconds: 30, ttlSecondsAfterFinished: 300, backoffLimit: 0, template: { spec: { ...hardenedPodSpec(), restartPolicy: 'Never' } } },
  };
}

function cronJob(): any {
  const { spec } = job();
  return { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'sandbox' }, spec: { schedule: '0 * * * *', jobTemplate: { spec } } };
}

/** One fixture: an object (a hardened Pod unless `base` says otherwise) with a change applied. */
interface Fixture {
  readonly name: string;
  readonly base?: () => any;
  readonly change?: (obj: any) => void;
  readonly options?: CheckOptions;
}

/** A failing fixture and the JSON paths its rule must report, in order. */
interface FailingFixture extends Fixture {
  readonly paths: string[];
}

interface RuleFixtures {
  readonly pass: Fixture[];
  readonly fail: FailingFixture[];
}

const main = (o: any) => o.spec.containers[0];
const init = (o: any) => o.spec.initContainers[0];
const podSecurity = (o: any) => o.spec.securityContext;

const FIXTURES: { [ruleId: string]: RuleFixtures } = {
  'runtime-class': {
    pass: [
      { name: 'runtimeClassName gvisor' },
      { name: 'the configured RuntimeClass', change: (o) => { o.spec.runtimeClassName = 'gvisor-custom'; }, options: { runtimeClassName: 'gvisor-custom' } },
    ],
    fail: [
      { name: 'no runtimeClassName', change: (o) => { delete o.spec.runtimeClassName; }, paths: ['spec.runtimeClassName'] },
      { name: 'runtimeClassName runc', change: (o) => { o.spec.runtimeClassName = 'runc'; }, paths: ['spec.runtimeClassName'] },
      { name: 'gvisor where another RuntimeClass is configured', options: { runtimeClassName: 'kata' }, paths: ['spec.runtimeClassName'] },
    ],
  },
  'run-as-non-root': {
    pass: [
      { name: 'runAsNonRoot on pod and containers' },
      { name: 'containers inherit the pod\'s runAsNonRoot', change: (o) => { delete main(o).securityContext.runAsNonRoot; delete init(o).securityContext.runAsNonRoot; } },
    ],
    fail: [
      { name: 'pod runAsNonRoot unset', change: (o) => { delete podSecurity(o).runAsNonRoot; }, paths: ['spec.securityContext.runAsNonRoot'] },
      { name: 'pod runAsNonRoot false', change: (o) => { podSecurity(o).runAsNonRoot = false; }, paths: ['spec.securityContext.runAsNonRoot'] },
      { name: 'a container overrides with false', change: (o) => { main(o).securityContext.runAsNonRoot = false; }, paths: ['spec.containers[0].securityContext.runAsNonRoot'] },
    ],
  },
  'run-as-high-uid': {
    pass: [
      { name: 'UID 65534' },
      { name: 'a container UID of exactly 10000', change: (o) => { main(o).securityContext.runAsUser = 10000; } },
    ],
    fail: [
      { name: 'pod UID 0, inherited by both containers', change: (o) => { podSecurity(o).runAsUser = 0; }, paths: ['spec.securityContext.runAsUser', 'spec.securityContext.runAsUser'] },
      { name: 'no UID anywhere (the image decides)', change: (o) => { delete podSecurity(o).runAsUser; }, paths: ['spec.securityContext.runAsUser', 'spec.securityContext.runAsUser'] },
      { name: 'a container UID of 9999', change: (o) => { main(o).securityContext.runAsUser = 9999; }, paths: ['spec.containers[0].securityContext.runAsUser'] },
      { name: 'a UID as a string', change: (o) => { init(o).securityContext.runAsUser = '65534'; }, paths: ['spec.initContainers[0].securityContext.runAsUser'] },
    ],
  },
  'run-as-high-gid': {
    pass: [
      { name: 'GID and fsGroup 65534' },
      { name: 'a container GID of exactly 10000', change: (o) => { init(o).securityContext.runAsGroup = 10000; } },
      { name: 'high supplemental groups', change: (o) => { podSecurity(o).supplementalGroups = [10000, 65534]; } },
      { name: 'no supplemental groups', change: (o) => { podSecurity(o).supplementalGroups = []; } },
    ],
    fail: [
      { name: 'a container GID of 1000', change: (o) => { init(o).securityContext.runAsGroup = 1000; }, paths: ['spec.initContainers[0].securityContext.runAsGroup'] },
      { name: 'pod GID 0, inherited by both containers', change: (o) => { podSecurity(o).runAsGroup = 0; }, paths: ['spec.securityContext.runAsGroup', 'spec.securityContext.runAsGroup'] },
      { name: 'fsGroup 100', change: (o) => { podSecurity(o).fsGroup = 100; }, paths: ['spec.securityContext.fsGroup'] },
      { name: 'no fsGroup', change: (o) => { delete podSecurity(o).fsGroup; }, paths: ['spec.securityContext.fsGroup'] },
      { name: 'supplemental group 0 (root)', change: (o) => { podSecurity(o).supplementalGroups = [0]; }, paths: ['spec.securityContext.supplementalGroups[0]'] },
      { name: 'a low supplemental group beside high ones', change: (o) => { podSecurity(o).supplementalGroups = [65534, 100, 10000, 9999]; },
        paths: ['spec.securityContext.supplementalGroups[1]', 'spec.securityContext.supplementalGroups[3]'] },
      { name: 'a supplemental group as a string', change: (o) => { podSecurity(o).supplementalGroups = ['65534']; }, paths: ['spec.securityContext.supplementalGroups[0]'] },
      { name: 'supplementalGroups not a list', change: (o) => { podSecurity(o).supplementalGroups = 0; }, paths: ['spec.securityContext.supplementalGroups'] },
    ],
  },
  'no-privilege-escalation': {
    pass: [{ name: 'allowPrivilegeEscalation false on every container' }],
    fail: [
      { name: 'allowPrivilegeEscalation true', change: (o) => { main(o).securityContext.allowPrivilegeEscalation = true; }, paths: ['spec.containers[0].securityContext.allowPrivilegeEscalation'] },
      { name: 'allowPrivilegeEscalation unset (defaults to true)', change: (o) => { delete init(o).securityContext.allowPrivilegeEscalation; }, paths: ['spec.initContainers[0].securityContext.allowPrivilegeEscalation'] },
    ],
  },
  'not-privileged': {
    pass: [
      { name: 'privileged false' },
      { name: 'privileged unset', change: (o) => { delete main(o).securityContext.privileged; } },
    ],
    fail: [
      { name: 'privileged true', change: (o) => { main(o).securityContext.privileged = true; }, paths: ['spec.containers[0].securityContext.privileged'] },
    ],
  },
  'drop-all-capabilities': {
    pass: [
      { name: 'drop ALL' },
      { name: 'NET_BIND_SERVICE added back', change: (o) => { main(o).securityContext.capabilities.add = ['NET_BIND_SERVICE']; } },
      { name: 'CAP_NET_BIND_SERVICE added back', change: (o) => { main(o).securityContext.capabilities.add = ['CAP_NET_BIND_SERVICE']; } },
    ],
    fail: [
      { name: 'no drop', change: (o) => { delete main(o).securityContext.capabilities; }, paths: ['spec.containers[0].securityContext.capabilities.drop'] },
      { name: 'drop without ALL', change: (o) => { init(o).securityContext.capabilities.drop = ['NET_RAW']; }, paths: ['spec.initContainers[0].securityContext.capabilities.drop'] },
      { name: 'SYS_ADMIN added', change: (o) => { main(o).securityContext.capabilities.add = ['NET_BIND_SERVICE', 'SYS_ADMIN']; }, paths: ['spec.containers[0].securityContext.capabilities.add'] },
    ],
  },
  'seccomp-runtime-default': {
    pass: [
      { name: 'RuntimeDefault on the pod' },
      { name: 'Localhost on the pod', change: (o) => { podSecurity(o).seccompProfile = { type: 'Localhost', localhostProfile: 'profiles/sandbox.json' }; } },
      { name: 'RuntimeDefault on every container instead of the pod', change: (o) => {
        delete podSecurity(o).seccompProfile;
        main(o).securityContext.seccompProfile = { type: 'RuntimeDefault' };
        init(o).securityContext.seccompProfile = { type: 'RuntimeDefault' };
      } },
    ],
    fail: [
      { name: 'Unconfined on the pod', change: (o) => { podSecurity(o).seccompProfile = { type: 'Unconfined' }; }, paths: ['spec.securityContext.seccompProfile.type', 'spec.securityContext.seccompProfile.type'] },
      { name: 'a container overrides with Unconfined', change: (o) => { main(o).securityContext.seccompProfile = { type: 'Unconfined' }; }, paths: ['spec.containers[0].securityContext.seccompProfile.type'] },
      { name: 'no seccomp profile, one container with its own', change: (o) => {
        delete podSecurity(o).seccompProfile;
        init(o).securityContext.seccompProfile = { type: 'RuntimeDefault' };
      }, paths: ['spec.securityContext.seccompProfile.type'] },
    ],
  },
  'read-only-root-filesystem': {
    pass: [{ name: 'readOnlyRootFilesystem true' }],
    fail: [
      { name: 'readOnlyRootFilesystem false', change: (o) => { main(o).securityContext.readOnlyRootFilesystem = false; }, paths: ['spec.containers[0].securityContext.readOnlyRootFilesystem'] },
      { name: 'readOnlyRootFilesystem unset', change: (o) => { delete init(o).securityContext.readOnlyRootFilesystem; }, paths: ['spec.initContainers[0].securityContext.readOnlyRootFilesystem'] },
    ],
  },
  'no-host-namespaces': {
    pass: [
      { name: 'no host namespaces' },
      { name: 'host namespaces explicitly false', change: (o) => { Object.assign(o.spec, { hostNetwork: false, hostPID: false, hostIPC: false }); } },
    ],
    fail: [
      { name: 'hostNetwork', change: (o) => { o.spec.hostNetwork = true; }, paths: ['spec.hostNetwork'] },
      { name: 'hostPID', change: (o) => { o.spec.hostPID = true; }, paths: ['spec.hostPID'] },
      { name: 'hostIPC', change: (o) => { o.spec.hostIPC = true; }, paths: ['spec.hostIPC'] },
      { name: 'all three', change: (o) => { Object.assign(o.spec, { hostNetwork: true, hostPID: true, hostIPC: true }); }, paths: ['spec.hostNetwork', 'spec.hostPID', 'spec.hostIPC'] },
    ],
  },
  'no-host-ports': {
    pass: [
      { name: 'container ports only' },
      { name: 'hostPort 0 (unset)', change: (o) => { main(o).ports[0].hostPort = 0; } },
    ],
    fail: [
      { name: 'a host port', change: (o) => { main(o).ports.push({ containerPort: 9090, hostPort: 9090 }); }, paths: ['spec.containers[0].ports[1].hostPort'] },
    ],
  },
  'allowed-volume-types': {
    pass: [
      { name: 'emptyDir and configMap' },
      { name: 'every other allowed type', change: (o) => {
        o.spec.volumes.push(
          { name: 'a', secret: { secretName: 's' } }, { name: 'b', persistentVolumeClaim: { claimName: 'c' } },
          { name: 'c', downwardAPI: { items: [] } }, { name: 'd', csi: { driver: 'x' } }, { name: 'e', ephemeral: {} },
          { name: 'f', projected: { sources: [{ configMap: { name: 'x' } }, { downwardAPI: {} }] } });
      } },
    ],
    fail: [
      { name: 'hostPath', change: (o) => { o.spec.volumes.push({ name: 'host', hostPath: { path: '/' } }); }, paths: ['spec.volumes[2].hostPath'] },
      { name: 'nfs', change: (o) => { o.spec.volumes.unshift({ name: 'share', nfs: { server: 'nfs', path: '/' } }); }, paths: ['spec.volumes[0].nfs'] },
      { name: 'a projected service-account token', change: (o) => {
        o.spec.volumes.push({ name: 'token', projected: { sources: [{ configMap: { name: 'x' } }, { serviceAccountToken: { path: 'token' } }] } });
      }, paths: ['spec.volumes[2].projected.sources[1].serviceAccountToken'] },
    ],
  },
  'no-service-account-token': {
    pass: [
      { name: 'automountServiceAccountToken false on the pod' },
      { name: 'a ServiceAccount with automountServiceAccountToken false', base: () => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' }, automountServiceAccountToken: false }) },
    ],
    fail: [
      { name: 'pod automountServiceAccountToken unset', change: (o) => { delete o.spec.automountServiceAccountToken; }, paths: ['spec.automountServiceAccountToken'] },
      { name: 'pod automountServiceAccountToken true', change: (o) => { o.spec.automountServiceAccountToken = true; }, paths: ['spec.automountServiceAccountToken'] },
      { name: 'a ServiceAccount that mounts its token', base: () => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' } }), paths: ['automountServiceAccountToken'] },
    ],
  },
  'no-service-links': {
    pass: [{ name: 'enableServiceLinks false' }],
    fail: [
      { name: 'enableServiceLinks unset (defaults to true)', change: (o) => { delete o.spec.enableServiceLinks; }, paths: ['spec.enableServiceLinks'] },
      { name: 'enableServiceLinks true', change: (o) => { o.spec.enableServiceLinks = true; }, paths: ['spec.enableServiceLinks'] },
    ],
  },
  'baseline-security-options': {
    pass: [
      { name: 'nothing set' },
      { name: 'the baseline\'s allowed values', change: (o) => {
        podSecurity(o).sysctls = [{ name: 'net.ipv4.ping_group_range', value: '0 2147483647' }];
        podSecurity(o).seLinuxOptions = { type: 'container_t', level: 's0:c123,c456' };
        podSecurity(o).appArmorProfile = { type: 'RuntimeDefault' };
        main(o).securityContext.procMount = 'Default';
        o.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/main': 'runtime/default' };
      } },
    ],
    fail: [
      { name: 'an unsafe sysctl', change: (o) => { podSecurity(o).sysctls = [{ name: 'net.ipv4.tcp_syncookies', value: '1' }, { name: 'kernel.msgmax', value: '1' }]; }, paths: ['spec.securityContext.sysctls[1]'] },
      { name: 'a safe sysctl whose value smuggles another with "+" (CVE-2022-0811)', change: (o) => { podSecurity(o).sysctls = [{ name: 'kernel.shm_rmid_forced', value: '1+kernel.core_pattern=|/bin/sh' }]; },
        paths: ['spec.securityContext.sysctls[0].value'] },
      { name: 'a safe sysctl whose value holds "="', change: (o) => { podSecurity(o).sysctls = [{ name: 'net.ipv4.tcp_syncookies', value: '1 kernel.modprobe=/tmp/x' }]; }, paths: ['spec.securityContext.sysctls[0].value'] },
      { name: 'an unsafe sysctl with a smuggling value: both', change: (o) => { podSecurity(o).sysctls = [{ name: 'kernel.core_pattern', value: '|/bin/sh+x=y' }]; },
        paths: ['spec.securityContext.sysctls[0]', 'spec.securityContext.sysctls[0].value'] },
      { name: 'a sysctl value that is no string', change: (o) => { podSecurity(o).sysctls = [{ name: 'kernel.shm_rmid_forced', value: { v: 1 } }]; }, paths: ['spec.securityContext.sysctls[0].value'] },
      { name: 'procMount Unmasked', change: (o) => { main(o).securityContext.procMount = 'Unmasked'; }, paths: ['spec.containers[0].securityContext.procMount'] },
      { name: 'AppArmor Unconfined on the pod', change: (o) => { podSecurity(o).appArmorProfile = { type: 'Unconfined' }; }, paths: ['spec.securityContext.appArmorProfile.type'] },
      { name: 'an SELinux user', change: (o) => { podSecurity(o).seLinuxOptions = { user: 'system_u' }; }, paths: ['spec.securityContext.seLinuxOptions'] },
      { name: 'an SELinux type outside the baseline', change: (o) => { init(o).securityContext.seLinuxOptions = { type: 'spc_t' }; }, paths: ['spec.initContainers[0].securityContext.seLinuxOptions.type'] },
      { name: 'an unconfined AppArmor annotation', change: (o) => { o.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/main': 'unconfined' }; },
        paths: ['metadata.annotations["container.apparmor.security.beta.kubernetes.io/main"]'] },
    ],
  },
  'resource-limits': {
    pass: [
      { name: 'requests and limits on every container' },
      { name: 'an ephemeral (debug) container without resources', change: (o) => {
        const { resources: _unused, ...debug } = hardenedContainer('debug');
        o.spec.ephemeralContainers = [debug];
      } },
    ],
    fail: [
      { name: 'no cpu limit', change: (o) => { delete main(o).resources.limits.cpu; }, paths: ['spec.containers[0].resources'] },
      { name: 'an init container without requests', change: (o) => { delete init(o).resources.requests; }, paths: ['spec.initContainers[0].resources'] },
      { name: 'no memory request', change: (o) => { delete main(o).resources.requests.memory; }, paths: ['spec.containers[0].resources'] },
      { name: 'a zero cpu limit (no bound at all)', change: (o) => { main(o).resources.limits.cpu = '0'; }, paths: ['spec.containers[0].resources'] },
      { name: 'a zero memory limit as a number', change: (o) => { main(o).resources.limits.memory = 0; }, paths: ['spec.containers[0].resources'] },
      { name: 'an empty cpu request', change: (o) => { init(o).resources.requests.cpu = ''; }, paths: ['spec.initContainers[0].resources'] },
    ],
  },
  'ephemeral-storage-limit': {
    pass: [{ name: 'an ephemeral-storage limit on every container' }],
    fail: [
      { name: 'no ephemeral-storage limit', change: (o) => { delete main(o).resources.limits['ephemeral-storage']; }, paths: ['spec.containers[0].resources.limits.ephemeral-storage'] },
      { name: 'a zero ephemeral-storage limit', change: (o) => { init(o).resources.limits['ephemeral-storage'] = '0Mi'; }, paths: ['spec.initContainers[0].resources.limits.ephemeral-storage'] },
    ],
  },
  'job-limits': {
    pass: [
      { name: 'a Job with deadline, TTL, no retries and Never', base: job },
      { name: 'a Job with TTL 0', base: job, change: (o) => { o.spec.ttlSecondsAfterFinished = 0; } },
      { name: 'a CronJob whose job template has the limits', base: cronJob },
      { name: 'a Pod (not a Job)' },
    ],
    fail: [
      { name: 'no deadline', base: job, change: (o) => { delete o.spec.activeDeadlineSeconds; }, paths: ['spec.activeDeadlineSeconds'] },
      { name: 'a zero deadline', base: job, change: (o) => { o.spec.activeDeadlineSeconds = 0; }, paths: ['spec.activeDeadlineSeconds'] },
      { name: 'no TTL', base: job, change: (o) => { delete o.spec.ttlSecondsAfterFinished; }, paths: ['spec.ttlSecondsAfterFinished'] },
      { name: 'retries', base: job, change: (o) => { o.spec.backoffLimit = 6; }, paths: ['spec.backoffLimit'] },
      { name: 'restartPolicy OnFailure', base: job, change: (o) => { o.spec.template.spec.restartPolicy = 'OnFailure'; }, paths: ['spec.template.spec.restartPolicy'] },
      { name: 'a CronJob without backoffLimit', base: cronJob, change: (o) => { delete o.spec.jobTemplate.spec.backoffLimit; }, paths: ['spec.jobTemplate.spec.backoffLimit'] },
      { name: 'a Job without any limit', base: job, change: (o) => { o.spec = { template: { spec: hardenedPodSpec() } }; },
        paths: ['spec.activeDeadlineSeconds', 'spec.ttlSecondsAfterFinished', 'spec.backoffLimit', 'spec.template.spec.restartPolicy'] },
    ],
  },
  'image-pinned': {
    pass: [
      { name: 'a version tag' },
      { name: 'a digest', change: (o) => { main(o).image = `registry.example/app@sha256:${'a'.repeat(64)}`; } },
      { name: 'a tag and a digest', change: (o) => { main(o).image = `registry.example/app:1.2.3@sha256:${'0123456789abcdef'.repeat(4)}`; } },
      { name: 'a registry with a port and a tag', change: (o) => { main(o).image = 'localhost:5000/app:1.0'; } },
    ],
    fail: [
      { name: 'no tag', change: (o) => { main(o).image = 'registry.example/app'; }, paths: ['spec.containers[0].image'] },
      { name: 'the latest tag', change: (o) => { init(o).image = 'registry.example/app:latest'; }, paths: ['spec.initContainers[0].image'] },
      { name: 'a malformed digest', change: (o) => { main(o).image = 'registry.example/app@sha256:abc123'; }, paths: ['spec.containers[0].image'] },
      { name: 'a registry port but no tag', change: (o) => { main(o).image = 'localhost:5000/app'; }, paths: ['spec.containers[0].image'] },
      { name: 'no image', change: (o) => { delete main(o).image; }, paths: ['spec.containers[0].image'] },
      { name: 'the latest tag in upper case', change: (o) => { main(o).image = 'registry.example/app:LATEST'; }, paths: ['spec.containers[0].image'] },
      { name: 'the latest tag in title case', change: (o) => { init(o).image = 'registry.example/app:Latest'; }, paths: ['spec.initContainers[0].image'] },
    ],
  },
  'no-secret-env': {
    pass: [
      { name: 'literal and ConfigMap env' },
      { name: 'a ConfigMap envFrom', change: (o) => { main(o).envFrom = [{ configMapRef: { name: 'settings' } }]; } },
    ],
    fail: [
      { name: 'a secretKeyRef', change: (o) => { main(o).env.push({ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }); }, paths: ['spec.containers[0].env[2].valueFrom.secretKeyRef'] },
      { name: 'a Secret envFrom', change: (o) => { init(o).envFrom = [{ configMapRef: { name: 'settings' } }, { secretRef: { name: 'creds' } }]; }, paths: ['spec.initContainers[0].envFrom[1].secretRef'] },
    ],
  },
  'no-host-process': {
    pass: [
      { name: 'no windowsOptions' },
      { name: 'hostProcess false on the pod and every container', change: (o) => {
        podSecurity(o).windowsOptions = { hostProcess: false };
        main(o).securityContext.windowsOptions = { hostProcess: false, gmsaCredentialSpecName: 'gmsa' };
        init(o).securityContext.windowsOptions = { runAsUserName: 'ContainerUser' };
      } },
    ],
    fail: [
      { name: 'HostProcess on the pod', change: (o) => { podSecurity(o).windowsOptions = { hostProcess: true, runAsUserName: 'NT AUTHORITY\\SYSTEM' }; }, paths: ['spec.securityContext.windowsOptions.hostProcess'] },
      { name: 'a container overrides the pod\'s false', change: (o) => { podSecurity(o).windowsOptions = { hostProcess: false }; main(o).securityContext.windowsOptions = { hostProcess: true }; },
        paths: ['spec.containers[0].securityContext.windowsOptions.hostProcess'] },
      { name: 'an init container', change: (o) => { init(o).securityContext.windowsOptions = { hostProcess: true }; }, paths: ['spec.initContainers[0].securityContext.windowsOptions.hostProcess'] },
      { name: 'an ephemeral container', change: (o) => { o.spec.ephemeralContainers = [{ ...hardenedContainer('debug'), securityContext: { ...hardenedContainer('debug').securityContext, windowsOptions: { hostProcess: true } } }]; },
        paths: ['spec.ephemeralContainers[0].securityContext.windowsOptions.hostProcess'] },
      { name: 'hostProcess given as a string', change: (o) => { podSecurity(o).windowsOptions = { hostProcess: 'true' }; }, paths: ['spec.securityContext.windowsOptions.hostProcess'] },
      { name: 'the pod and a container', change: (o) => { podSecurity(o).windowsOptions = { hostProcess: true }; main(o).securityContext.windowsOptions = { hostProcess: true }; },
        paths: ['spec.securityContext.windowsOptions.hostProcess', 'spec.containers[0].securityContext.windowsOptions.hostProcess'] },
    ],
  },
  'no-shared-process-namespace': {
    pass: [
      { name: 'shareProcessNamespace unset' },
      { name: 'shareProcessNamespace false', change: (o) => { o.spec.shareProcessNamespace = false; } },
    ],
    fail: [
      { name: 'shareProcessNamespace true', change: (o) => { o.spec.shareProcessNamespace = true; }, paths: ['spec.shareProcessNamespace'] },
    ],
  },
  'gvisor-host-users': {
    pass: [
      { name: 'hostUsers unset' },
      { name: 'hostUsers true', change: (o) => { o.spec.hostUsers = true; } },
    ],
    fail: [
      { name: 'hostUsers false', change: (o) => { o.spec.hostUsers = false; }, paths: ['spec.hostUsers'] },
    ],
  },
};

function build(fixture: Fixture): KubeObject {
  const obj = (fixture.base ?? pod)();
  fixture.change?.(obj);
  return obj;
}

test('the fixtures cover every rule of the profile, and nothing else', () => {
  expect(Object.keys(FIXTURES).sort()).toEqual(RULES.map((r) => r.id).sort());
});

test('rule ids are unique and every rule names its row, title and references', () => {
  expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  for (const rule of RULES) {
    expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
    // test/audit-docs.test.ts checks each row against README's hardening table.
    expect(Number.isInteger(rule.row) && rule.row >= 1).toBe(true);
    expect(rule.title.length).toBeGreaterThan(0);
    expect(rule.references.length).toBeGreaterThan(0);
  }
});

describe.each(Object.entries(FIXTURES))('rule %s', (ruleId, fixtures) => {
  const rule = ruleById(ruleId)!;
  const resolved = (options: CheckOptions = {}) => ({ runtimeClassName: options.runtimeClassName ?? 'gvisor' });

  test.each(fixtures.pass.map((f) => [f.name, f] as const))('passes: %s', (_name, fixture) => {
    const obj = build(fixture);
    expect(rule.check(obj, resolved(fixture.options))).toEqual([]);
    // The passing fixtures are fully compliant, so no other rule fires either.
    expect(checkObject(obj, fixture.options)).toEqual([]);
  });

  test.each(fixtures.fail.map((f) => [f.name, f] as const))('fails: %s', (_name, fixture) => {
    const obj = build(fixture);
    const findings = rule.check(obj, resolved(fixture.options));
    expect(findings.map((f) => ({ rule: f.rule, path: f.path }))).toEqual(fixture.paths.map((path) => ({ rule: ruleId, path })));
    for (const f of findings) {
      expect(f.object).toEqual({ kind: obj.kind, ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}), name: obj.metadata!.name });
      expect(f.message.length).toBeGreaterThan(0);
      expect(f.fix.length).toBeGreaterThan(0);
    }
    // The fixture breaks this rule only: the whole profile reports the same findings.
    expect(checkObject(obj, fixture.options)).toEqual(findings);
  });
});

test('what no suppression may waive is data on the rules', () => {
  expect(RULES.filter((r) => r.unwaivable !== undefined).map((r) => [r.id, r.unwaivable])).toEqual([
    ['no-privilege-escalation', 'all'],
    ['not-privileged', 'all'],
    ['no-host-namespaces', 'all'],
    ['allowed-volume-types', { pathSuffixes: ['.hostPath'], what: 'hostPath volumes' }],
    ['baseline-security-options', { pathSuffixes: ['.value'], what: 'sysctl values that smuggle another sysctl' }],
    ['no-host-process', 'all'],
  ]);
  expect(isUnwaivable(ruleById('allowed-volume-types')!.unwaivable, { path: 'spec.volumes[2].hostPath' })).toBe(true);
  expect(isUnwaivable(ruleById('allowed-volume-types')!.unwaivable, { path: 'spec.volumes[2].nfs' })).toBe(false);
  expect(isUnwaivable(ruleById('not-privileged')!.unwaivable, { path: 'anything' })).toBe(true);
  expect(isUnwaivable(ruleById('image-pinned')!.unwaivable, { path: 'spec.containers[0].image' })).toBe(false);
});

describe('messages name the value found', () => {
  test.each([
    ['runtime-class', (o: any) => { o.spec.runtimeClassName = 'runc'; }, 'runtimeClassName is "runc"; sandboxed pods must use "gvisor"'],
    ['run-as-high-uid', (o: any) => { main(o).securityContext.runAsUser = 1000; }, 'container "main" runs as UID 1000; must be an integer >= 10000'],
    ['drop-all-capabilities', (o: any) => { main(o).securityContext.capabilities.add = ['SYS_ADMIN']; }, 'container "main" adds ["SYS_ADMIN"]; only ["NET_BIND_SERVICE"] may be added'],
    ['image-pinned', (o: any) => { main(o).image = 'app:latest'; }, 'container "main" image "app:latest" uses the mutable tag :latest'],
    ['no-host-namespaces', (o: any) => { o.spec.hostPID = true; }, 'hostPID is true; sandboxed pods must not share host namespaces'],
    ['image-pinned', (o: any) => { main(o).image = 'app:LATEST'; }, 'container "main" image "app:LATEST" uses the mutable tag :LATEST'],
    ['run-as-high-gid', (o: any) => { podSecurity(o).supplementalGroups = [0]; }, 'supplementalGroups[0] is 0 (root); every supplemental group must be an integer >= 10000'],
    ['run-as-high-gid', (o: any) => { podSecurity(o).supplementalGroups = [65534, 100]; }, 'supplementalGroups[1] is 100; every supplemental group must be an integer >= 10000'],
    ['baseline-security-options', (o: any) => { podSecurity(o).sysctls = [{ name: 'kernel.shm_rmid_forced', value: '1+kernel.core_pattern=|/bin/sh' }]; },
      'sysctl "kernel.shm_rmid_forced" value "1+kernel.core_pattern=|/bin/sh" holds "+" or "=", which smuggles another sysctl past the safe set (CVE-2022-0811)'],
    ['no-host-process', (o: any) => { podSecurity(o).windowsOptions = { hostProcess: true }; }, 'pod windowsOptions.hostProcess is true; a HostProcess container runs on the node itself, outside any sandbox'],
    ['no-host-process', (o: any) => { init(o).securityContext.windowsOptions = { hostProcess: true }; }, 'container "init" windowsOptions.hostProcess is true; a HostProcess container runs on the node itself, outside any sandbox'],
    ['no-shared-process-namespace', (o: any) => { o.spec.shareProcessNamespace = true; },
      'shareProcessNamespace is true; every container of the pod sees and signals the others\' processes and reads their files through /proc/<pid>/root'],
    ['gvisor-host-users', (o: any) => { o.spec.hostUsers = false; }, 'hostUsers is false; runsc does not support user namespaces, so the kubelet refuses to start the pod (it never runs)'],
  ] as const)('%s', (ruleId, change, message) => {
    const obj = pod();
    change(obj);
    expect(checkObject(obj).map((f) => [f.rule, f.message])).toEqual([[ruleId, message]]);
  });
});

describe('pod templates of every workload kind', () => {
  const spec = () => hardenedPodSpec();
  const jobSpec = () => ({ activeDeadlineSeconds: 30, ttlSecondsAfterFinished: 300, backoffLimit: 0, template: { spec: { ...spec(), restartPolicy: 'Never' } } });
  const selector = { matchLabels: { app: 'x' } };
  const WORKLOADS: [string, () => any, string][] = [
    ['Pod', () => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'w' }, spec: spec() }), 'spec'],
    ['Deployment', () => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w' }, spec: { selector, template: { metadata: { labels: selector.matchLabels }, spec: spec() } } }), 'spec.template.spec'],
    ['StatefulSet', () => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'w' }, spec: { selector, serviceName: 'w', template: { spec: spec() } } }), 'spec.template.spec'],
    ['DaemonSet', () => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'w' }, spec: { selector, template: { spec: spec() } } }), 'spec.template.spec'],
    ['ReplicaSet', () => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'w' }, spec: { selector, template: { spec: spec() } } }), 'spec.template.spec'],
    ['ReplicationController', () => ({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'w' }, spec: { template: { spec: spec() } } }), 'spec.template.spec'],
    ['Job', () => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'w' }, spec: jobSpec() }), 'spec.template.spec'],
    ['CronJob', () => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'w' }, spec: { schedule: '@hourly', jobTemplate: { spec: jobSpec() } } }), 'spec.jobTemplate.spec.template.spec'],
  ];

  test.each(WORKLOADS)('%s: the template is found at its path', (_kind, make, specPath) => {
    const obj = make();
    const location = podTemplateOf(obj)!;
    expect(location.specPath).toBe(specPath);
    expect(location.spec.runtimeClassName).toBe('gvisor');
  });

  test.each(WORKLOADS)('%s: a hardened template passes every rule', (_kind, make) => {
    expect(checkObject(make())).toEqual([]);
  });

  test.each(WORKLOADS)('%s: violations are reported under the template\'s path', (_kind, make, specPath) => {
    const obj = make();
    const podSpec = podTemplateOf(obj)!.spec as any;
    podSpec.hostNetwork = true;
    podSpec.containers[0].securityContext.privileged = true;
    delete podSpec.runtimeClassName;
    expect(checkObject(obj).map((f) => `${f.rule} ${f.path}`)).toEqual([
      `runtime-class ${specPath}.runtimeClassName`,
      `not-privileged ${specPath}.containers[0].securityContext.privileged`,
      `no-host-namespaces ${specPath}.hostNetwork`,
    ]);
  });

  test.each([
    ['ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } }],
    ['Service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } }],
    ['a Deployment without a template', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {} }],
    ['an unknown kind with a template', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { template: { spec: { hostNetwork: true } } } }],
  ])('%s carries no pod and gets no findings', (_name, obj) => {
    expect(podTemplateOf(obj)).toBeUndefined();
    expect(checkObject(obj)).toEqual([]);
  });
});

describe('no-host-storage: claims bound to the node\'s own disk', () => {
  const rule = STORAGE_RULES.find((r) => r.id === 'no-host-storage')!;
  const options = { defaultNamespace: 'default' };
  const check = (objects: any[]) => rule.check(objects, options as any).map((f) => [`${f.object.kind}/${f.object.name}`, f.path, f.message]);
  const pv = (name: string, spec: any) => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], ...spec } });
  const pvc = (name: string, spec: any = {}, namespace = 'sandbox') => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } });
  const mounting = (claim: string) => { const p = pod(); p.spec.volumes.push({ name: 'data', persistentVolumeClaim: { claimName: claim } }); return p; };
  const hostRoot = pv('node-root', { hostPath: { path: '/' }, storageClassName: 'manual' });

  test('is data like the other rules: a row, references, and never waivable', () => {
    expect([rule.row, rule.title, rule.references, rule.unwaivable]).toEqual([12, 'No PersistentVolumeClaim of a pod is bound to a hostPath or local PersistentVolume', ['PSS', 'GKE', 'project'], 'all']);
  });

  test('a claim whose volumeName names a hostPath PersistentVolume', () => {
    expect(check([hostRoot, pvc('data', { volumeName: 'node-root', storageClassName: 'manual' }), mounting('data')])).toEqual([[
      'Pod/p', 'spec.volumes[2].persistentVolumeClaim.claimName',
      'volume "data" uses PersistentVolumeClaim "data" in namespace "sandbox", bound (its volumeName) to PersistentVolume "node-root" of type hostPath (path "/"): the node\'s own filesystem, as a hostPath volume would mount it',
    ]]);
  });

  test('a claim a local PersistentVolume reserves by claimRef, the claim itself not in the set', () => {
    const local = pv('ssd', { local: { path: '/mnt/disks/ssd1' }, claimRef: { namespace: 'sandbox', name: 'scratch' } });
    expect(check([local, mounting('scratch')])).toEqual([[
      'Pod/p', 'spec.volumes[2].persistentVolumeClaim.claimName',
      'volume "data" uses PersistentVolumeClaim "scratch" in namespace "sandbox", bound (the PersistentVolume\'s claimRef) to PersistentVolume "ssd" of type local (path "/mnt/disks/ssd1"): the node\'s own filesystem, as a hostPath volume would mount it',
    ]]);
    // The claimRef of another namespace reserves another claim.
    expect(check([{ ...local, spec: { ...local.spec, claimRef: { namespace: 'other', name: 'scratch' } } }, mounting('scratch')])).toEqual([]);
  });

  test('a claim of the class of an unreserved hostPath PersistentVolume may be bound to it', () => {
    expect(check([hostRoot, pvc('data', { storageClassName: 'manual' }), mounting('data')]).map((f) => f[2])).toEqual([
      'volume "data" uses PersistentVolumeClaim "data" in namespace "sandbox", bindable (an unreserved PersistentVolume of storage class "manual") to PersistentVolume "node-root" of type hostPath (path "/"): the node\'s own filesystem, as a hostPath volume would mount it',
    ]);
    expect(check([hostRoot, pvc('data', { storageClassName: 'standard-rwo' }), mounting('data')])).toEqual([]);
  });

  test('a StatefulSet\'s volumeClaimTemplates and a generic ephemeral volume', () => {
    const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'sandbox' }, spec: { serviceName: 'db', template: { spec: hardenedPodSpec() }, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { storageClassName: 'fast' } }] } };
    const reserved = pv('ssd', { local: { path: '/mnt/ssd' }, claimRef: { namespace: 'sandbox', name: 'data-db-0' }, storageClassName: 'fast' });
    expect(check([reserved, sts]).map((f) => [f[0], f[1]])).toEqual([['StatefulSet/db', 'spec.volumeClaimTemplates[0]']]);
    expect(check([{ ...reserved, spec: { ...reserved.spec, claimRef: { namespace: 'sandbox', name: 'data-web-0' } } }, sts])).toEqual([]);
    const eph = pod();
    eph.spec.volumes.push({ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: { storageClassName: 'manual' } } } });
    expect(check([hostRoot, eph]).map((f) => [f[0], f[1]])).toEqual([['Pod/p', 'spec.volumes[2].ephemeral.volumeClaimTemplate']]);
  });

  test('claims of network or CSI storage, and sets without node-disk volumes, pass', () => {
    const csi = pv('disk', { csi: { driver: 'pd.csi.storage.gke.io', volumeHandle: 'd' }, storageClassName: 'manual' });
    expect(check([csi, pvc('data', { volumeName: 'disk' }), mounting('data')])).toEqual([]);
    // volumeName wins over a host volume of the same class.
    expect(check([csi, hostRoot, pvc('data', { volumeName: 'disk', storageClassName: 'manual' }), mounting('data')])).toEqual([]);
    expect(check([pvc('data', { volumeName: 'node-root' }), mounting('data')])).toEqual([]);
    expect(checkObject(mounting('data'))).toEqual([]);
  });
});
