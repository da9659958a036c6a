// Props -> a hardened pod spec (plain JSON). Every container gets the same hardening; weaker asks are refused.
import { ContainerJson, PodSpecJson, SANDBOX_DEFAULTS, disallowedAddedCapabilities, isAllowedVolumeType, runtimeClassNameOr, tokenProjectionsOf, volumeTypesOf } from '../profile';
import { podKnobFields } from './pod-knobs';
import { ImagePullPolicy, SandboxContainerBaseProps, SandboxPodProps, SandboxPort, SeccompProfileType, WritablePath } from './pod-props';
import { Site, checkAbsolutePath, checkByteQuantity, checkDnsLabel, checkEnum, checkHighId, checkImage, checkInteger, checkQuantity, child, compareQuantities, definedOnly, fail } from './validate';

/** Pod-level values every container inherits, after defaults. */
interface PodDefaults {
  readonly user: number;
  readonly group: number;
}

/** Options the workload builders pass besides the user's props. */
export interface PodSpecOptions {
  /** ServiceAccount the pod runs as (one with no token). */
  readonly serviceAccountName?: string;
  /** Pod restart policy. */
  readonly restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  /** Labels selecting the workload's own pods (the default selector of a topology spread constraint). */
  readonly selectorLabels?: { readonly [key: string]: string };
  /**
   * Names of a StatefulSet's volumeClaimTemplates: the containers may mount them like persistentVolumeClaim
   * volumes, and the StatefulSet controller adds the volumes to each pod.
   */
  readonly claimTemplates?: readonly string[];
}

const DEFAULT_WRITABLE_PATHS: readonly WritablePath[] = [{ path: SANDBOX_DEFAULTS.writablePath, sizeLimit: SANDBOX_DEFAULTS.writablePathSizeLimit }];
const READ_ONLY_BY_DEFAULT = ['configMap', 'secret', 'downwardAPI', 'projected'];
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

/** Builds the hardened pod spec of a sandboxed workload from its props (main container first). */
export function buildPodSpec(site: Site, props: SandboxPodProps & SandboxContainerBaseProps, options: PodSpecOptions = {}): PodSpecJson {
  const security = props.podSecurity ?? {};
  const securitySite = child(site, 'podSecurity');
  for (const hostField of ['hostNetwork', 'hostPid', 'hostIpc'] as const) {
    if (security[hostField] !== undefined && security[hostField] !== false) {
      fail(securitySite, hostField, security[hostField], 'only false is allowed: sandboxed pods never share host namespaces (GKE Sandbox refuses them)');
    }
  }
  const seccomp = security.seccompProfile ?? SeccompProfileType.RUNTIME_DEFAULT;
  if (seccomp !== SeccompProfileType.RUNTIME_DEFAULT && seccomp !== SeccompProfileType.LOCALHOST) {
    fail(securitySite, 'seccompProfile', seccomp, 'allowed: RuntimeDefault or Localhost (Unconfined removes the seccomp filter that Pod Security "restricted" requires)');
  }
  if (seccomp === SeccompProfileType.LOCALHOST && !security.seccompLocalhostProfile) {
    fail(securitySite, 'seccompLocalhostProfile', security.seccompLocalhostProfile, 'a Localhost seccomp profile needs the profile\'s path');
  }
  const defaults: PodDefaults = {
    user: security.user === undefined ? SANDBOX_DEFAULTS.runAsUser : checkHighId(securitySite, 'user', security.user),
    group: security.group === undefined ? SANDBOX_DEFAULTS.runAsGroup : checkHighId(securitySite, 'group', security.group),
  };
  const fsGroup = security.fsGroup === undefined ? SANDBOX_DEFAULTS.fsGroup : checkHighId(securitySite, 'fsGroup', security.fsGroup);
  const runtimeClassName = runtimeClassNameOr(props.runtimeClassName);
  if (typeof runtimeClassName !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(runtimeClassName)) {
    fail(site, 'runtimeClassName', runtimeClassName, 'must name the gVisor RuntimeClass (a DNS subdomain, default "gvisor"); a pod without it is not sandboxed');
  }

  const volumes: { [key: string]: any; name: string }[] = [];
  const userVolumes = new Map<string, string>();
  (props.volumes ?? []).forEach((volume, i) => {
    const volumeSite = child(site, `volumes[${i}]`);
    checkDnsLabel(volumeSite, 'name', volume.name);
    if (userVolumes.has(volume.name)) fail(volumeSite, 'name', volume.name, 'volume names must be unique');
    const kube = volume._toKube();
    const types = volumeTypesOf(kube);
    if (types.length !== 1 || !isAllowedVolumeType(types[0])) {
      fail(volumeSite, 'type', types.join('+') || '(none)', `allowed volume types: ${SANDBOX_DEFAULTS.allowedVolumeTypes.join(', ')} (hostPath is never allowed: GKE Sandbox cannot mount it and it exposes the node)`);
    }
    if (tokenProjectionsOf(kube).length > 0) {
      fail(volumeSite, 'projected.sources', 'a serviceAccountToken source', 'sandboxed pods never receive a service-account token');
    }
    if (kube.emptyDir && !kube.emptyDir.sizeLimit) fail(volumeSite, 'emptyDir.sizeLimit', undefined, 'every emptyDir needs a sizeLimit');
    if (kube.emptyDir) checkByteQuantity(volumeSite, 'emptyDir.sizeLimit', kube.emptyDir.sizeLimit, '64Mi');
    userVolumes.set(volume.name, types[0]);
    volumes.push(kube);
  });
  for (const claim of options.claimTemplates ?? []) if (!userVolumes.has(claim)) userVolumes.set(claim, 'persistentVolumeClaim');

  const mainName = checkDnsLabel(site, 'containerName', props.containerName ?? 'main');
  const seen = new Set<string>();
  const build = (c: SandboxContainerBaseProps, name: string, containerSite: Site, nameField = 'name'): ContainerJson => {
    if (seen.has(name)) fail(containerSite, nameField, name, 'container names must be unique in the pod');
    seen.add(name);
    const { container, writableVolumes } = buildContainer(containerSite, c, name, defaults, userVolumes);
    for (const v of writableVolumes) {
      if (volumes.some((existing) => existing.name === v.name)) fail(containerSite, 'writablePaths', v.name, `the generated volume name "${v.name}" collides with a volume of the same name`);
      volumes.push(v);
    }
    return container;
  };
  const initContainers = (props.initContainers ?? []).map((c, i) => build(c, checkDnsLabel(child(site, `initContainers[${i}]`), 'name', c.name), child(site, `initContainers[${i}]`)));
  const containers = [build(props, mainName, site, 'containerName'),
    ...(props.sidecars ?? []).map((c, i) => build(c, checkDnsLabel(child(site, `sidecars[${i}]`), 'name', c.name), child(site, `sidecars[${i}]`)))];

  const spec: { [key: string]: any } = {
    runtimeClassName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    ...(options.serviceAccountName ? { serviceAccountName: options.serviceAccountName } : {}),
    ...(options.restartPolicy ? { restartPolicy: options.restartPolicy } : {}),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: defaults.user,
      runAsGroup: defaults.group,
      fsGroup,
      seccompProfile: seccomp === SeccompProfileType.LOCALHOST ? { type: seccomp, localhostProfile: security.seccompLocalhostProfile } : { type: seccomp },
    },
    ...(initContainers.length > 0 ? { initContainers } : {}),
    containers,
    ...(volumes.length > 0 ? { volumes } : {}),
  };
  const knobs = podKnobFields(site, props, options);
  if (knobs) Object.assign(spec, knobs);
  if (props.terminationGracePeriodSeconds !== undefined) {
    spec.terminationGracePeriodSeconds = checkInteger(site, 'terminationGracePeriodSeconds', props.terminationGracePeriodSeconds, 0, 3600);
  }
  return spec;
}

/** The ports of a container, validated. */
function buildPorts(site: Site, ports: readonly SandboxPort[]): { [key: string]: any }[] {
  const numbers = new Set<string>();
  const names = new Set<string>();
  return ports.map((port, i) => {
    const portSite = child(site, `ports[${i}]`);
    checkInteger(portSite, 'number', port.number, 1, 65535, 'a port number');
    if (port.hostPort !== undefined) fail(portSite, 'hostPort', port.hostPort, 'host ports are refused: they bypass NetworkPolicy; expose the port with a Service');
    const protocol = port.protocol ?? 'TCP';
    if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) fail(portSite, 'protocol', protocol, 'allowed: TCP, UDP, SCTP');
    const key = `${port.number}/${protocol}`;
    if (numbers.has(key)) fail(portSite, 'number', port.number, `port ${key} is listed twice`);
    numbers.add(key);
    if (port.name !== undefined && !PORT_NAME.test(port.name)) fail(portSite, 'name', port.name, 'must be an IANA service name: at most 15 lowercase letters, digits and \'-\', with at least one letter');
    if (port.name !== undefined && names.has(port.name)) fail(portSite, 'name', port.name, 'port names must be unique in the container');
    if (port.name !== undefined) names.add(port.name);
    return { containerPort: port.number, ...(port.name ? { name: port.name } : {}), protocol };
  });
}

/** One hardened container plus the emptyDir volumes of its writable paths. */
function buildContainer(site: Site, c: SandboxContainerBaseProps, name: string, pod: PodDefaults, userVolumes: ReadonlyMap<string, string>):
{ container: ContainerJson; writableVolumes: { name: string; [key: string]: any }[] } {
  const image = checkImage(site, 'image', c.image);
  const imagePullPolicy = c.imagePullPolicy === undefined ? undefined : checkEnum(site, 'imagePullPolicy', c.imagePullPolicy, ImagePullPolicy, 'ImagePullPolicy');
  const sec = c.securityContext ?? {};
  const secSite = child(site, 'securityContext');
  if (sec.privileged !== undefined && sec.privileged !== false) fail(secSite, 'privileged', sec.privileged, 'only false is allowed: privileged containers escape every sandbox and GKE Sandbox refuses them');
  if (sec.allowPrivilegeEscalation !== undefined && sec.allowPrivilegeEscalation !== false) fail(secSite, 'allowPrivilegeEscalation', sec.allowPrivilegeEscalation, 'only false is allowed: setuid binaries must not gain privileges');
  if (sec.readOnlyRootFilesystem !== undefined && sec.readOnlyRootFilesystem !== true) fail(secSite, 'readOnlyRootFilesystem', sec.readOnlyRootFilesystem, 'only true is allowed: give directories that must be written as writablePaths');
  const add = sec.addCapabilities ?? [];
  const extra = disallowedAddedCapabilities(add);
  if (extra.length > 0) fail(secSite, 'addCapabilities', add, `only ${SANDBOX_DEFAULTS.allowedAddCapabilities.join(', ')} may be added back after dropping ALL`);
  const user = sec.user === undefined ? undefined : checkHighId(secSite, 'user', sec.user);
  const group = sec.group === undefined ? undefined : checkHighId(secSite, 'group', sec.group);

  const resources = buildResources(child(site, 'resources'), c);
  const ports = buildPorts(site, c.ports ?? []);
  const writable = c.writablePaths ?? DEFAULT_WRITABLE_PATHS;
  const mountPaths = new Set<string>();
  const claimPath = (s: Site, fieldName: string, path: string) => {
    if (mountPaths.has(path)) fail(s, fieldName, path, 'each path may be mounted once');
    mountPaths.add(path);
  };

  const writableVolumes: { name: string; [key: string]: any }[] = [];
  const volumeMounts: { [key: string]: any }[] = [];
  writable.forEach((w, i) => {
    const wSite = child(site, `writablePaths[${i}]`);
    const path = checkAbsolutePath(wSite, 'path', w.path);
    claimPath(wSite, 'path', path);
    const sizeLimit = checkByteQuantity(wSite, 'sizeLimit', w.sizeLimit ?? SANDBOX_DEFAULTS.writablePathSizeLimit, '64Mi');
    const volumeName = writableVolumeName(name, path, i);
    writableVolumes.push({ name: volumeName, emptyDir: { ...(w.inMemory ? { medium: 'Memory' } : {}), sizeLimit } });
    volumeMounts.push({ name: volumeName, mountPath: path });
  });
  (c.volumeMounts ?? []).forEach((m, i) => {
    const mSite = child(site, `volumeMounts[${i}]`);
    const type = userVolumes.get(m.volume);
    if (!type) fail(mSite, 'volume', m.volume, `must name one of the workload's volumes (${[...userVolumes.keys()].join(', ') || 'none defined'})`);
    const path = checkAbsolutePath(mSite, 'path', m.path);
    claimPath(mSite, 'path', path);
    const readOnly = m.readOnly ?? READ_ONLY_BY_DEFAULT.includes(type);
    if (m.subPath !== undefined && (typeof m.subPath !== 'string' || m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
      fail(mSite, 'subPath', m.subPath, 'must be a relative path without ".." segments');
    }
    volumeMounts.push({ name: m.volume, mountPath: path, ...(readOnly ? { readOnly: true } : {}), ...(m.subPath ? { subPath: m.subPath } : {}) });
  });

  const env: { [key: string]: any }[] = [];
  const given = c.env ?? {};
  const home = writable[0]?.path;
  if (home !== undefined) {
    for (const key of ['HOME', 'TMPDIR']) if (!(key in given)) env.push({ name: key, value: home });
  }
  for (const [key, value] of Object.entries(given)) {
    if (!ENV_NAME.test(key)) fail(child(site, 'env'), key, key, 'environment variable names are letters, digits, \'_\', \'-\' and \'.\', not starting with a digit');
    if (!value || typeof (value as any)._toKube !== 'function') fail(child(site, 'env'), key, value, 'must be an EnvValue (EnvValue.fromValue, fromConfigMap or fromFieldPath)');
    env.push({ name: key, ...value._toKube() });
  }

  const firstPort = ports[0]?.containerPort;
  const probes: { [key: string]: any } = {};
  for (const [prop, key] of [['readiness', 'readinessProbe'], ['liveness', 'livenessProbe'], ['startup', 'startupProbe']] as const) {
    const probe = c[prop];
    if (!probe) continue;
    const json = probe._toKube(firstPort);
    const action = json.httpGet ?? json.tcpSocket;
    if (action && action.port === undefined) fail(site, prop, 'a network probe', 'needs a port: give the probe a port or the container a port');
    if (action) checkInteger(child(site, prop), 'port', action.port, 1, 65535, 'a port number');
    for (const [timing, min] of [['initialDelaySeconds', 0], ['periodSeconds', 1], ['timeoutSeconds', 1], ['failureThreshold', 1], ['successThreshold', 1]] as const) {
      if (json[timing] !== undefined) checkInteger(child(site, prop), timing, json[timing], min, 3600);
    }
    if (prop !== 'readiness' && json.successThreshold !== undefined && json.successThreshold !== 1) {
      fail(child(site, prop), 'successThreshold', json.successThreshold, `must be 1 for a ${prop} probe (Kubernetes accepts other values only on readiness probes)`);
    }
    probes[key] = json;
  }

  const container: { [key: string]: any } = {
    name,
    image,
    ...(imagePullPolicy !== undefined ? { imagePullPolicy } : {}),
    ...(c.command ? { command: [...c.command] } : {}),
    ...(c.args ? { args: [...c.args] } : {}),
    ...(c.workingDir ? { workingDir: checkAbsolutePath(site, 'workingDir', c.workingDir) } : {}),
    ...(env.length > 0 ? { env } : {}),
    ...(ports.length > 0 ? { ports } : {}),
    resources,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: user ?? pod.user,
      runAsGroup: group ?? pod.group,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: [...SANDBOX_DEFAULTS.dropCapabilities], ...(add.length > 0 ? { add: [...add] } : {}) },
    },
    ...(volumeMounts.length > 0 ? { volumeMounts } : {}),
    ...probes,
  };
  return { container: container as ContainerJson, writableVolumes };
}

/** Requests and limits with defaults; a request above its limit is refused. */
function buildResources(site: Site, c: SandboxContainerBaseProps): { requests: { [k: string]: string }; limits: { [k: string]: string } } {
  const r = { ...SANDBOX_DEFAULTS.resources, ...definedOnly(c.resources ?? {}) };
  const pairs = [
    ['cpu', 'cpuRequest', 'cpuLimit', '500m', checkQuantity],
    ['memory', 'memoryRequest', 'memoryLimit', '512Mi', checkByteQuantity],
    ['ephemeral-storage', 'ephemeralStorageRequest', 'ephemeralStorageLimit', '256Mi', checkByteQuantity],
  ] as const;
  const requests: { [k: string]: string } = {};
  const limits: { [k: string]: string } = {};
  for (const [resource, requestKey, limitKey, example, check] of pairs) {
    const request = check(site, requestKey, r[requestKey], example);
    const limit = check(site, limitKey, r[limitKey], example);
    if (compareQuantities(request, limit)! > 0) fail(site, requestKey, request, `must not exceed ${limitKey} (${limit})`);
    requests[resource] = request;
    limits[resource] = limit;
  }
  return { requests, limits };
}

/** Name of the emptyDir behind a writable path: `<container>-<path slug>`, a DNS label. */
function writableVolumeName(container: string, path: string, index: number): string {
  const slug = path.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'root';
  const name = `${container}-${slug}`;
  return name.length <= 63 && !name.endsWith('-') ? name : `${container.slice(0, 55)}-w${index}`;
}
