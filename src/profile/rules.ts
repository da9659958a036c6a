// The sandbox hardening profile as data: one rule for each pod and workload row of the profile table.
import {
  AdmissionCheck, DISALLOWED_VOLUME_SOURCES, celHas, celIntAtLeast, celPositiveQuantity, celStrings, celSwitchOff, celValueOr,
} from './admission';
import { disallowedAddedCapabilities, isAllowedVolumeType, runtimeClassNameOr, tokenProjectionsOf, volumeTypesOf } from './predicates';
import { SANDBOX_DEFAULTS } from './defaults';
import { KubeObject, ObjectMeta, PodSpecJson, PodTemplateLocation, containersOf, jobSpecOf, podTemplateOf } from './kube';
import { isPositiveQuantity } from './quantity';
import {
  FillTarget, fillContainerSecurity, fillJobField, fillPodField, fillReadOnlyRoot, fillResources, fillServiceAccountField, fills, someContainerInherits,
} from './harden-fill';
import { CheckOptions, Finding, Rule, RuleHardening, refOf, show } from './rule';

type Report = (path: string, message: string) => void;

/** The containers of a pod template with their JSON paths, as `containersOf` lists them. */
type ContainerList = ReturnType<typeof containersOf>;

/** A pod template with its containers, listed once per check of an object and shared by the rules. */
interface PodView extends PodTemplateLocation {
  readonly containers: ContainerList;
}

type PodCheck = (pod: PodView, report: Report, options: Required<CheckOptions>) => void;

/** What the rules read of one object, worked out once per check of that object (never kept longer). */
interface ObjectView {
  readonly obj: KubeObject;
  readonly pod: PodView | undefined;
}

/** A pod template whose containers are listed on first use, then shared. */
class PodTemplateView implements PodView {
  private list?: ContainerList;

  constructor(readonly specPath: string, readonly spec: PodSpecJson, readonly metadata: ObjectMeta) {}

  get containers(): ContainerList {
    return this.list ??= containersOf(this.spec, this.specPath);
  }
}

function viewOf(obj: KubeObject): ObjectView {
  const pod = podTemplateOf(obj);
  return { obj, pod: pod && new PodTemplateView(pod.specPath, pod.spec, pod.metadata) };
}

/** Where the checks of one call write their findings; `report` files one for the current object and rule. */
class FindingSink {
  readonly findings: Finding[] = [];
  obj!: KubeObject;
  rule = '';
  fix = '';
  readonly report: Report = (path, message) => {
    this.findings.push({ rule: this.rule, object: refOf(this.obj), path, message, fix: this.fix });
  };
}

/** A rule's check over a view of the object, writing to a sink. */
type ViewCheck = (view: ObjectView, sink: FindingSink, options: Required<CheckOptions>) => void;

/** The view check of each rule, so checkObject(s) can share one view of an object among the rules. */
const VIEW_CHECKS = new WeakMap<Rule, ViewCheck>();

function rule(info: Omit<Rule, 'check'>, run: ViewCheck): Rule {
  const defined: Rule = {
    ...info,
    check(obj, options) {
      const sink = new FindingSink();
      sink.obj = obj;
      run(viewOf(obj), sink, options);
      return sink.findings;
    },
  };
  VIEW_CHECKS.set(defined, run);
  return defined;
}

/** A rule over the pod template of any workload kind; `extra` holds the optional fields of the rule's data. */
function podRule(id: string, row: number, title: string, references: string[], fix: string, check: PodCheck, extra: Pick<Rule, 'hardening'> & Partial<Pick<Rule, 'unwaivable' | 'admission'>>): Rule {
  const admission = extra.admission?.map((check) => ({ fix, ...check }));
  return rule({ id, row, title, references, ...extra, ...(admission ? { admission } : {}) }, (view, sink, options) => {
    if (!view.pod) return;
    sink.rule = id;
    sink.fix = fix;
    check(view.pod, sink.report, options);
  });
}

/**
 * Each container with the value of a security-context field, the container's own or inherited from the pod;
 * `problem` says what is wrong with it, if anything, and the finding names where the value was read.
 */
function eachEffective(pod: PodView, field: string, report: Report, problem: (value: unknown, name: string) => string | undefined): void {
  const podValue = pod.spec.securityContext?.[field];
  for (const { container, path } of pod.containers) {
    const own = container.securityContext?.[field];
    const message = problem(own !== undefined ? own : podValue, container.name);
    if (message !== undefined) report(own !== undefined ? `${path}.securityContext.${field}` : `${pod.specPath}.securityContext.${field}`, message);
  }
}

/** Each container with its own security-context field; `problem` says what is wrong with it, if anything. */
function eachContainerField(pod: PodView, field: string, report: Report, problem: (value: unknown, name: string) => string | undefined): void {
  for (const { container, path } of pod.containers) {
    const message = problem(container.securityContext?.[field], container.name);
    if (message !== undefined) report(`${path}.securityContext.${field}`, message);
  }
}

function isHighId(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= SANDBOX_DEFAULTS.minimumId;
}

/** Whether a boolean switch is on or set to anything but off (`false`, unset or null): the checks fail closed on odd values. */
function isSwitchedOn(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

/** The characters a sysctl value never needs and CVE-2022-0811 used to smuggle a second sysctl past the safe set. */
const SYSCTL_VALUE_SEPARATORS = /[+=]/;

const SECCOMP_OK = ['RuntimeDefault', 'Localhost'];

// The CEL of the rules (see admission.ts): P is the pod spec, PSC its security context, C every container.
const P = 'variables.pod';
const PSC = 'variables.podSecurity';
const C = 'variables.containers';
const J = 'variables.job';
/** The check of a pod rule, judging the pod template. */
const pod = (expression: string, more: Omit<AdmissionCheck, 'target' | 'expression'> = {}): AdmissionCheck => ({ target: 'pod', expression, ...more });
/** Every container passes `check` (over `c`). */
const everyContainer = (check: string) => `${C}.all(c, ${check})`;
/** A container's own security-context field, or the pod's, or `fallback` when neither sets it. */
const effective = (field: string, fallback: string) => `(${celHas('c', `securityContext.${field}`)} ? c.securityContext.${field} : ${celValueOr(PSC, field, fallback)})`;
/** A container's own security-context field is unset or passes `check` (over `v`). */
const ownUnsetOr = (field: string, check: (v: string) => string) => everyContainer(`!(${celHas('c', `securityContext.${field}`)}) || ${check(`c.securityContext.${field}`)}`);
/** A security context (`x`) strays from the PSS baseline in none of procMount, AppArmor, SELinux. */
const baselineOf = (x: string) => [
  `(!has(${x}.procMount) || ${x}.procMount == 'Default')`,
  `!(${celHas(x, 'appArmorProfile.type')} && ${x}.appArmorProfile.type == 'Unconfined')`,
  `(!has(${x}.seLinuxOptions) || ${x}.seLinuxOptions == null || (!(${celHas(x, 'seLinuxOptions.user')} && ${x}.seLinuxOptions.user != '' && ${x}.seLinuxOptions.user != null)`
    + ` && !(${celHas(x, 'seLinuxOptions.role')} && ${x}.seLinuxOptions.role != '' && ${x}.seLinuxOptions.role != null)`
    + ` && (!has(${x}.seLinuxOptions.type) || ${x}.seLinuxOptions.type in ${celStrings(SANDBOX_DEFAULTS.allowedSeLinuxTypes)})))`,
].join(' && ');
/** The refusal of a value set on purpose: harden fills what is unset and never rewrites what a manifest says. */
const SET_ON_PURPOSE = 'the manifest sets it, and a value set on purpose is not silently rewritten';
/** How harden treats a rule: fill what is unset, refuse what is set wrong. */
const fillOrRefuse = (fill: RuleHardening['fill']): RuleHardening => ({ fill, refuses: SET_ON_PURPOSE });
/** How harden treats a rule it never fills: everything it finds is refused, for `why`. */
const refuse = (why: string): RuleHardening => ({ refuses: why });

const ALLOWED_ADD = celStrings(SANDBOX_DEFAULTS.allowedAddCapabilities.flatMap((cap) => [cap, `CAP_${cap}`]));

/** Splits an image reference into its parts; a digest pins it, a tag other than `latest` names it. */
export function parseImage(image: string): { name: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  const parsed: { name: string; tag?: string; digest?: string } = colon > slash ? { name: rest.slice(0, colon), tag: rest.slice(colon + 1) } : { name: rest };
  if (digest) parsed.digest = digest;
  return parsed;
}

/** Why an image reference is not pinned, or undefined when it is. */
export function imagePinProblem(image: unknown): string | undefined {
  if (typeof image !== 'string' || image.trim() === '') return `has no image (${show(image)})`;
  const { tag, digest } = parseImage(image);
  if (digest) return /^sha256:[a-f0-9]{64}$/.test(digest) ? undefined : `image "${image}" has a malformed digest "${digest}"`;
  if (!tag) return `image "${image}" has no tag (it resolves to :latest)`;
  // Tags are case-sensitive, but any case of latest is the mutable tag in practice (and a mistake to pin to).
  if (tag.toLowerCase() === 'latest') return `image "${image}" uses the mutable tag :${tag}`;
  return undefined;
}

/** Whether a security context has anything reportBaseline reports. */
function straysFromBaseline(ctx: any): boolean {
  const se = ctx.seLinuxOptions;
  return (ctx.procMount !== undefined && ctx.procMount !== 'Default')
    || ctx.appArmorProfile?.type === 'Unconfined'
    || (!!se && (!!(se.user || se.role) || (se.type !== undefined && !SANDBOX_DEFAULTS.allowedSeLinuxTypes.includes(se.type))));
}

/** The PSS baseline findings of one security context (`name` is "pod" or `container "..."`). */
function reportBaseline(ctx: any, path: string, name: string, report: Report): void {
  if (ctx.procMount !== undefined && ctx.procMount !== 'Default') report(`${path}.procMount`, `${name} procMount is ${show(ctx.procMount)}; must be Default`);
  if (ctx.appArmorProfile?.type === 'Unconfined') report(`${path}.appArmorProfile.type`, `${name} AppArmor profile is Unconfined`);
  const se = ctx.seLinuxOptions;
  if (se) {
    if (se.user || se.role) report(`${path}.seLinuxOptions`, `${name} sets SELinux user/role (${show({ user: se.user, role: se.role })}); must be unset`);
    if (se.type !== undefined && !SANDBOX_DEFAULTS.allowedSeLinuxTypes.includes(se.type)) report(`${path}.seLinuxOptions.type`, `${name} SELinux type ${show(se.type)} is not allowed`);
  }
}

export const RULES: readonly Rule[] = [
  podRule('runtime-class', 1, 'Pods run in the gVisor sandbox (runtimeClassName)', ['GKE', 'VAP', 'Kyverno'],
    'Set spec.runtimeClassName to the gVisor RuntimeClass (gvisor on GKE Sandbox).',
    (pod, report, options) => {
      const value = pod.spec.runtimeClassName;
      if (value !== options.runtimeClassName) {
        report(`${pod.specPath}.runtimeClassName`, `runtimeClassName is ${show(value)}; sandboxed pods must use "${options.runtimeClassName}"`);
      }
    }, {
      hardening: fillOrRefuse(fillPodField(['runtimeClassName'], (t: FillTarget) => t.runtimeClassName)),
      admission: [pod(`has(${P}.runtimeClassName) && ${P}.runtimeClassName in variables.runtimeClasses`)],
    }),

  podRule('run-as-non-root', 2, 'Containers must run as non-root', ['PSS', 'NSA', 'KL', 'POL', 'KS'],
    'Set securityContext.runAsNonRoot: true on the pod and on every container.',
    (pod, report) => {
      if (pod.spec.securityContext?.runAsNonRoot !== true) {
        report(`${pod.specPath}.securityContext.runAsNonRoot`, `pod runAsNonRoot is ${show(pod.spec.securityContext?.runAsNonRoot)}; must be true`);
      }
      eachContainerField(pod, 'runAsNonRoot', report, (value, name) =>
        (value !== undefined && value !== true ? `container "${name}" runAsNonRoot is ${show(value)}; must be true` : undefined));
    }, {
      hardening: fillOrRefuse(fillPodField(['securityContext', 'runAsNonRoot'], true)),
      admission: [
        pod(`${celHas(PSC, 'runAsNonRoot')} && ${PSC}.runAsNonRoot == true`, { message: 'the pod does not set securityContext.runAsNonRoot: true' }),
        pod(ownUnsetOr('runAsNonRoot', (v) => `${v} == true`), { message: 'a container sets securityContext.runAsNonRoot to something other than true' }),
      ],
    }),

  podRule('run-as-high-uid', 3, 'Containers run as a numeric UID >= 10000', ['PSS', 'KSc', 'KS'],
    `Set securityContext.runAsUser to a UID of ${SANDBOX_DEFAULTS.minimumId} or more (e.g. ${SANDBOX_DEFAULTS.runAsUser}).`,
    (pod, report) => {
      eachEffective(pod, 'runAsUser', report, (value, name) =>
        (isHighId(value) ? undefined : `container "${name}" runs as UID ${show(value)}; must be an integer >= ${SANDBOX_DEFAULTS.minimumId}`));
    }, {
      hardening: fillOrRefuse(fillPodField(['securityContext', 'runAsUser'], SANDBOX_DEFAULTS.runAsUser, someContainerInherits(['runAsUser']))),
      admission: [pod(everyContainer(celIntAtLeast(effective('runAsUser', 'null'), SANDBOX_DEFAULTS.minimumId)), { message: `a container runs as a UID below ${SANDBOX_DEFAULTS.minimumId}, or as none` })],
    }),

  podRule('run-as-high-gid', 4, 'Containers run as a numeric GID >= 10000, and fsGroup and every supplemental group too', ['KSc', 'KS', 'Kyverno'],
    `Set securityContext.runAsGroup and the pod's fsGroup to a GID of ${SANDBOX_DEFAULTS.minimumId} or more (e.g. ${SANDBOX_DEFAULTS.runAsGroup}), and list no supplemental group below ${SANDBOX_DEFAULTS.minimumId}.`,
    (pod, report) => {
      eachEffective(pod, 'runAsGroup', report, (value, name) =>
        (isHighId(value) ? undefined : `container "${name}" runs as GID ${show(value)}; must be an integer >= ${SANDBOX_DEFAULTS.minimumId}`));
      const fsGroup = pod.spec.securityContext?.fsGroup;
      if (!isHighId(fsGroup)) report(`${pod.specPath}.securityContext.fsGroup`, `fsGroup is ${show(fsGroup)}; must be an integer >= ${SANDBOX_DEFAULTS.minimumId}`);
      const groups = pod.spec.securityContext?.supplementalGroups;
      if (groups === undefined || groups === null) return;
      const path = `${pod.specPath}.securityContext.supplementalGroups`;
      if (!Array.isArray(groups)) {
        report(path, `supplementalGroups is ${show(groups)}; must be a list of integers >= ${SANDBOX_DEFAULTS.minimumId}`);
        return;
      }
      groups.forEach((gid: unknown, i: number) => {
        if (!isHighId(gid)) report(`${path}[${i}]`, `supplementalGroups[${i}] is ${show(gid)}${gid === 0 ? ' (root)' : ''}; every supplemental group must be an integer >= ${SANDBOX_DEFAULTS.minimumId}`);
      });
    }, {
      hardening: fillOrRefuse(fills(
        fillPodField(['securityContext', 'runAsGroup'], SANDBOX_DEFAULTS.runAsGroup, someContainerInherits(['runAsGroup'])),
        fillPodField(['securityContext', 'fsGroup'], SANDBOX_DEFAULTS.fsGroup))),
      admission: [
        pod(everyContainer(celIntAtLeast(effective('runAsGroup', 'null'), SANDBOX_DEFAULTS.minimumId)), { message: `a container runs as a GID below ${SANDBOX_DEFAULTS.minimumId}, or as none` }),
        pod(celIntAtLeast(celValueOr(PSC, 'fsGroup', 'null'), SANDBOX_DEFAULTS.minimumId), { message: `fsGroup is unset or below ${SANDBOX_DEFAULTS.minimumId}` }),
        pod(`!has(${PSC}.supplementalGroups) || ${PSC}.supplementalGroups == null || (type(${PSC}.supplementalGroups) == list && ${PSC}.supplementalGroups.all(g, ${celIntAtLeast('g', SANDBOX_DEFAULTS.minimumId)}))`,
          { message: `a supplemental group is below ${SANDBOX_DEFAULTS.minimumId}` }),
      ],
    }),

  podRule('no-privilege-escalation', 5, 'Privilege escalation is explicitly disabled', ['PSS', 'NSA', 'KL', 'POL', 'KS'],
    'Set securityContext.allowPrivilegeEscalation: false on every container.',
    (pod, report) => {
      eachContainerField(pod, 'allowPrivilegeEscalation', report, (value, name) =>
        (value !== false ? `container "${name}" allowPrivilegeEscalation is ${show(value)}; must be false` : undefined));
    }, {
      hardening: fillOrRefuse(fillContainerSecurity(['allowPrivilegeEscalation'], false)),
      unwaivable: 'all',
      admission: [pod(everyContainer(`${celHas('c', 'securityContext.allowPrivilegeEscalation')} && c.securityContext.allowPrivilegeEscalation == false`), { message: 'a container does not set securityContext.allowPrivilegeEscalation: false' })],
    }),

  podRule('not-privileged', 6, 'No privileged containers', ['PSS', 'NSA', 'KL', 'POL', 'KS', 'KSc', 'GKE'],
    'Remove securityContext.privileged (or set it to false).',
    (pod, report) => {
      eachContainerField(pod, 'privileged', report, (value, name) =>
        (value === true ? `container "${name}" is privileged; GKE Sandbox refuses privileged containers` : undefined));
    }, {
      hardening: refuse('a privileged container is not a sandbox, and turning it off changes what the workload is'),
      unwaivable: 'all',
      admission: [pod(ownUnsetOr('privileged', (v) => `${v} != true`), { message: 'a container is privileged' })],
    }),

  podRule('drop-all-capabilities', 7, 'Every container drops ALL capabilities and adds none but NET_BIND_SERVICE', ['PSS', 'NSA', 'KL', 'POL', 'KS', 'VAP'],
    'Set securityContext.capabilities.drop: ["ALL"] and remove capabilities.add (only NET_BIND_SERVICE may stay).',
    (pod, report) => {
      for (const { container, path } of pod.containers) {
        const caps = container.securityContext?.capabilities ?? {};
        const drop: unknown[] = Array.isArray(caps.drop) ? caps.drop : [];
        if (!drop.includes('ALL')) report(`${path}.securityContext.capabilities.drop`, `container "${container.name}" drops ${show(caps.drop)}; must drop ["ALL"]`);
        const add: unknown[] = Array.isArray(caps.add) ? caps.add : [];
        const extra = disallowedAddedCapabilities(add);
        if (extra.length > 0) report(`${path}.securityContext.capabilities.add`, `container "${container.name}" adds ${show(extra)}; only ${show(SANDBOX_DEFAULTS.allowedAddCapabilities)} may be added`);
      }
    }, {
      hardening: fillOrRefuse(fillContainerSecurity(['capabilities', 'drop'], [...SANDBOX_DEFAULTS.dropCapabilities])),
      admission: [
        pod(everyContainer(`${celHas('c', 'securityContext.capabilities.drop')} && type(c.securityContext.capabilities.drop) == list && 'ALL' in c.securityContext.capabilities.drop`),
          { message: 'a container does not drop ALL capabilities' }),
        pod(ownUnsetOr('capabilities.add', (v) => `type(${v}) != list || ${v}.all(a, a in ${ALLOWED_ADD})`),
          { message: `a container adds a capability other than ${SANDBOX_DEFAULTS.allowedAddCapabilities.join(', ')}` }),
      ],
    }),

  podRule('seccomp-runtime-default', 8, 'A RuntimeDefault (or Localhost) seccomp profile applies to every container', ['PSS', 'NSA', 'POL', 'KS'],
    'Set spec.securityContext.seccompProfile.type: RuntimeDefault (or on every container).',
    (pod, report) => {
      for (const { container, path } of pod.containers) {
        const own = container.securityContext?.seccompProfile?.type;
        const podType = pod.spec.securityContext?.seccompProfile?.type;
        const value = own ?? podType;
        if (!SECCOMP_OK.includes(value)) {
          const where = own !== undefined ? `${path}.securityContext.seccompProfile.type` : `${pod.specPath}.securityContext.seccompProfile.type`;
          report(where, `container "${container.name}" seccomp profile is ${show(value)}; must be RuntimeDefault or Localhost`);
        }
      }
    }, {
      hardening: fillOrRefuse(fillPodField(['securityContext', 'seccompProfile', 'type'], SANDBOX_DEFAULTS.seccompProfileType, someContainerInherits(['seccompProfile', 'type']))),
      admission: [pod(everyContainer(`${effective('seccompProfile.type', 'null')} in ${celStrings(SECCOMP_OK)}`), { message: 'a container runs without a RuntimeDefault or Localhost seccomp profile' })],
    }),

  podRule('read-only-root-filesystem', 9, 'Containers have a read-only root filesystem', ['NSA', 'KL', 'POL', 'KS', 'KSc'],
    'Set securityContext.readOnlyRootFilesystem: true and give writable paths as size-limited emptyDir volumes.',
    (pod, report) => {
      eachContainerField(pod, 'readOnlyRootFilesystem', report, (value, name) =>
        (value !== true ? `container "${name}" readOnlyRootFilesystem is ${show(value)}; must be true` : undefined));
    }, {
      hardening: fillOrRefuse(fillReadOnlyRoot),
      admission: [pod(everyContainer(`${celHas('c', 'securityContext.readOnlyRootFilesystem')} && c.securityContext.readOnlyRootFilesystem == true`), { message: 'a container does not set securityContext.readOnlyRootFilesystem: true' })],
    }),

  podRule('no-host-namespaces', 10, 'No host network, PID or IPC namespace', ['PSS', 'NSA', 'KL', 'POL', 'KS', 'VAP', 'GKE'],
    'Remove hostNetwork, hostPID and hostIPC (or set them to false).',
    (pod, report) => {
      for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
        if (pod.spec[field] === true) report(`${pod.specPath}.${field}`, `${field} is true; sandboxed pods must not share host namespaces`);
      }
    }, {
      hardening: refuse('a pod on the host\'s namespaces is a host-level agent; no field change keeps its purpose'),
      unwaivable: 'all',
      admission: [pod(['hostNetwork', 'hostPID', 'hostIPC'].map((f) => `!(has(${P}.${f}) && ${P}.${f} == true)`).join(' && '), { message: 'the pod shares a host namespace (hostNetwork, hostPID or hostIPC)' })],
    }),

  podRule('no-host-ports', 11, 'No host ports', ['PSS', 'NSA', 'POL', 'VAP'],
    'Remove ports[].hostPort; expose the port through a Service instead.',
    (pod, report) => {
      for (const { container, path } of pod.containers) {
        (container.ports ?? []).forEach((port: any, i: number) => {
          if (port.hostPort !== undefined && port.hostPort !== 0) report(`${path}.ports[${i}].hostPort`, `container "${container.name}" binds host port ${show(port.hostPort)}`);
        });
      }
    }, {
      hardening: refuse('a host port is how the workload is reached; removing it changes the workload'),
      admission: [pod(everyContainer('!has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0)'), { message: 'a container binds a host port' })],
    }),

  podRule('allowed-volume-types', 12, 'Only restricted volume types; no hostPath, no projected service-account token', ['PSS', 'KL', 'POL', 'VAP', 'GKE'],
    `Use only ${SANDBOX_DEFAULTS.allowedVolumeTypes.join(', ')} volumes, and no serviceAccountToken projection.`,
    (pod, report) => {
      (pod.spec.volumes ?? []).forEach((volume, i) => {
        const path = `${pod.specPath}.volumes[${i}]`;
        for (const type of volumeTypesOf(volume)) {
          if (!isAllowedVolumeType(type)) report(`${path}.${type}`, `volume "${volume.name}" is of type ${type}; allowed: ${SANDBOX_DEFAULTS.allowedVolumeTypes.join(', ')}`);
        }
        for (const j of tokenProjectionsOf(volume)) {
          report(`${path}.projected.sources[${j}].serviceAccountToken`, `volume "${volume.name}" projects a service-account token into the sandbox`);
        }
      });
    }, {
      hardening: refuse('the volume is data the workload reads or writes; no other volume type keeps it'),
      unwaivable: { pathSuffixes: ['.hostPath'], what: 'hostPath volumes' },
      admission: [
        pod(`!has(${P}.volumes) || ${P}.volumes.all(v, !has(v.hostPath))`, { message: 'a volume is a hostPath: the node\'s own filesystem', waivable: false }),
        pod(`!has(${P}.volumes) || ${P}.volumes.all(v, ${DISALLOWED_VOLUME_SOURCES.filter((t) => t !== 'hostPath').map((t) => `!has(v.${t})`).join(' && ')})`,
          { message: `a volume is of a type other than ${SANDBOX_DEFAULTS.allowedVolumeTypes.join(', ')}` }),
        pod(`!has(${P}.volumes) || ${P}.volumes.all(v, !(${celHas('v', 'projected.sources')}) || v.projected.sources.all(s, !has(s.serviceAccountToken)))`,
          { message: 'a projected volume carries a service-account token' }),
      ],
    }),

  rule({
    id: 'no-service-account-token', row: 13, title: 'No service-account token is mounted', references: ['NSA', 'POL', 'KS', 'VAP'],
    hardening: fillOrRefuse(fills(fillPodField(['automountServiceAccountToken'], false), fillServiceAccountField('automountServiceAccountToken', false))),
    admission: [pod(`has(${P}.automountServiceAccountToken) && ${P}.automountServiceAccountToken == false`, { message: 'the pod does not set automountServiceAccountToken: false', fix: 'Set automountServiceAccountToken: false on the pod spec.' })],
    auditOnly: 'ServiceAccount objects: the controller manager creates every namespace\'s default ServiceAccount without the field, so denying it would leave the namespace without one',
  }, ({ obj, pod }, { findings }) => {
    const fix = 'Set automountServiceAccountToken: false on the pod spec (and on its ServiceAccount).';
    if (obj.kind === 'ServiceAccount') {
      if (obj.automountServiceAccountToken !== false) findings.push({ rule: 'no-service-account-token', object: refOf(obj), path: 'automountServiceAccountToken', message: `ServiceAccount automountServiceAccountToken is ${show(obj.automountServiceAccountToken)}; must be false`, fix });
      return;
    }
    if (!pod || pod.spec.automountServiceAccountToken === false) return;
    findings.push({ rule: 'no-service-account-token', object: refOf(obj), path: `${pod.specPath}.automountServiceAccountToken`, message: `automountServiceAccountToken is ${show(pod.spec.automountServiceAccountToken)}; must be false`, fix });
  }),

  podRule('no-service-links', 14, 'Service environment variables are not injected', ['project'],
    'Set spec.enableServiceLinks: false.',
    (pod, report) => {
      if (pod.spec.enableServiceLinks !== false) report(`${pod.specPath}.enableServiceLinks`, `enableServiceLinks is ${show(pod.spec.enableServiceLinks)}; must be false so untrusted code does not learn every Service's address`);
    }, {
      hardening: fillOrRefuse(fillPodField(['enableServiceLinks'], false)),
      admission: [pod(`has(${P}.enableServiceLinks) && ${P}.enableServiceLinks == false`, { message: 'the pod does not set enableServiceLinks: false' })],
    }),

  podRule('baseline-security-options', 15, 'procMount, sysctls, AppArmor and SELinux stay at the PSS baseline', ['PSS', 'KL', 'POL'],
    'Remove procMount, unsafe sysctls (and sysctl values holding "+" or "="), Unconfined AppArmor profiles and custom SELinux user/role/type.',
    (pod, report) => {
      (pod.spec.securityContext?.sysctls ?? []).forEach((sysctl: any, i: number) => {
        if (!SANDBOX_DEFAULTS.safeSysctls.includes(sysctl?.name)) report(`${pod.specPath}.securityContext.sysctls[${i}]`, `sysctl ${show(sysctl?.name)} is not in the PSS baseline's safe set`);
        // The value too: CRI-O joined name=value pairs with "+" (CVE-2022-0811), so a safe name could carry another sysctl.
        const value = sysctl?.value;
        if (typeof value === 'string' ? SYSCTL_VALUE_SEPARATORS.test(value) : value !== undefined && typeof value !== 'number') {
          report(`${pod.specPath}.securityContext.sysctls[${i}].value`, `sysctl ${show(sysctl?.name)} value ${show(value)} ${typeof value === 'string' ? 'holds "+" or "=", which smuggles another sysctl past the safe set (CVE-2022-0811)' : 'is not a string'}`);
        }
      });
      // The pod's security context, then each container's; paths and names are built only for one that strays.
      const podContext = pod.spec.securityContext;
      if (podContext && straysFromBaseline(podContext)) reportBaseline(podContext, `${pod.specPath}.securityContext`, 'pod', report);
      for (const { container, path } of pod.containers) {
        const ctx = container.securityContext;
        if (ctx && straysFromBaseline(ctx)) reportBaseline(ctx, `${path}.securityContext`, `container "${container.name}"`, report);
      }
      for (const [key, value] of Object.entries(pod.metadata.annotations ?? {})) {
        if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value === 'unconfined') {
          report(`${pod.specPath.replace(/spec$/, 'metadata')}.annotations["${key}"]`, `AppArmor annotation ${key} is unconfined`);
        }
      }
    }, {
      hardening: refuse('the manifest asks for kernel or LSM settings beyond the baseline on purpose'),
      unwaivable: { pathSuffixes: ['.value'], what: 'sysctl values that smuggle another sysctl' },
      admission: [
        pod(`!has(${PSC}.sysctls) || ${PSC}.sysctls.all(s, has(s.name) && s.name in ${celStrings(SANDBOX_DEFAULTS.safeSysctls)})`, { message: 'a sysctl is not in the PSS baseline\'s safe set' }),
        pod(`!has(${PSC}.sysctls) || ${PSC}.sysctls.all(s, !has(s.value) || (type(s.value) == string ? !s.value.matches('[+=]') : (type(s.value) == int || type(s.value) == double)))`,
          { message: 'a sysctl value holds "+" or "=", which smuggles another sysctl past the safe set (CVE-2022-0811)', waivable: false }),
        pod(`${baselineOf(PSC)} && ${everyContainer(`!has(c.securityContext) || (${baselineOf('c.securityContext')})`)}`,
          { message: 'procMount, AppArmor or SELinux options stray from the PSS baseline' }),
        pod(`!has(variables.podMeta.annotations) || variables.podMeta.annotations.all(k, !k.startsWith('container.apparmor.security.beta.kubernetes.io/') || variables.podMeta.annotations[k] != 'unconfined')`,
          { message: 'an AppArmor annotation is unconfined' }),
      ],
    }),

  podRule('resource-limits', 16, 'Every container sets CPU and memory requests and limits', ['NSA', 'KL', 'POL', 'KS', 'KSc', 'VAP', 'GKE'],
    'Set resources.requests and resources.limits for cpu and memory on every container, init containers included (GKE enforces limits only then).',
    (pod, report) => {
      for (const { container, path, group } of pod.containers) {
        if (group === 'ephemeralContainers') continue;
        let missing: string[] | undefined;
        for (const kind of ['requests', 'limits'] as const) {
          for (const r of ['cpu', 'memory']) if (!isPositiveQuantity(container.resources?.[kind]?.[r])) (missing ??= []).push(`${kind}.${r}`);
        }
        if (missing) report(`${path}.resources`, `container "${container.name}" does not set ${missing.join(', ')}`);
      }
    }, {
      hardening: fillOrRefuse(fillResources(['cpu', 'memory'])),
      admission: [pod(`variables.limitedContainers.all(c, ${['requests', 'limits'].flatMap((kind) => ['cpu', 'memory'].map((r) => `(${celHas('c', `resources.${kind}`)} && '${r}' in c.resources.${kind} && ${celPositiveQuantity(`c.resources.${kind}['${r}']`)})`)).join(' && ')})`,
        { message: 'a container does not set positive CPU and memory requests and limits' })],
    }),

  podRule('ephemeral-storage-limit', 17, 'Every container limits its ephemeral storage', ['KSc'],
    'Set resources.limits["ephemeral-storage"] on every container.',
    (pod, report) => {
      for (const { container, path, group } of pod.containers) {
        if (group === 'ephemeralContainers') continue;
        if (!isPositiveQuantity(container.resources?.limits?.['ephemeral-storage'])) report(`${path}.resources.limits.ephemeral-storage`, `container "${container.name}" has no ephemeral-storage limit`);
      }
    }, {
      hardening: fillOrRefuse(fillResources(['ephemeral-storage'])),
      admission: [pod(`variables.limitedContainers.all(c, ${celHas('c', 'resources.limits')} && 'ephemeral-storage' in c.resources.limits && ${celPositiveQuantity("c.resources.limits['ephemeral-storage']")})`,
        { message: 'a container has no ephemeral-storage limit' })],
    }),

  rule({
    id: 'job-limits', row: 20, title: 'Jobs have a deadline, a TTL, no retries and restartPolicy Never', references: ['KL', 'seed'],
    hardening: fillOrRefuse(fills(
      fillJobField(['activeDeadlineSeconds'], SANDBOX_DEFAULTS.hardenedJob.activeDeadlineSeconds),
      fillJobField(['ttlSecondsAfterFinished'], SANDBOX_DEFAULTS.hardenedJob.ttlSecondsAfterFinished),
      fillJobField(['backoffLimit'], 0),
      fillJobField(['template', 'spec', 'restartPolicy'], 'Never'))),
    admission: [
      { target: 'job', expression: `${celHas(J, 'activeDeadlineSeconds')} && type(${J}.activeDeadlineSeconds) == int && ${J}.activeDeadlineSeconds > 0`, message: 'the Job has no hard deadline', fix: 'Set activeDeadlineSeconds to a positive number of seconds.' },
      { target: 'job', expression: `${celHas(J, 'ttlSecondsAfterFinished')} && type(${J}.ttlSecondsAfterFinished) == int && ${J}.ttlSecondsAfterFinished >= 0`, message: 'the Job has no ttlSecondsAfterFinished, so finished Jobs pile up', fix: 'Set ttlSecondsAfterFinished (e.g. 300).' },
      { target: 'job', expression: `${celHas(J, 'backoffLimit')} && ${J}.backoffLimit == 0`, message: 'the Job retries untrusted code (backoffLimit is not 0)', fix: 'Set backoffLimit: 0.' },
      { target: 'job', expression: `${celHas(J, 'template.spec.restartPolicy')} && ${J}.template.spec.restartPolicy == 'Never'`, message: 'the Job\'s pods restart (restartPolicy is not Never)', fix: 'Set the pod template restartPolicy: Never.' },
    ],
  }, ({ obj }, { findings }) => {
    const job = jobSpecOf(obj);
    if (!job) return;
    const report = (path: string, message: string, fix: string) => findings.push({ rule: 'job-limits', object: refOf(obj), path: `${job.path}.${path}`, message, fix });
    const { activeDeadlineSeconds: deadline, ttlSecondsAfterFinished: ttl, backoffLimit } = job.spec;
    if (!(Number.isInteger(deadline) && deadline > 0)) report('activeDeadlineSeconds', `activeDeadlineSeconds is ${show(deadline)}; untrusted code needs a hard deadline`, 'Set activeDeadlineSeconds to a positive number of seconds.');
    if (!(Number.isInteger(ttl) && ttl >= 0)) report('ttlSecondsAfterFinished', `ttlSecondsAfterFinished is ${show(ttl)}; finished Jobs would pile up`, 'Set ttlSecondsAfterFinished (e.g. 300).');
    if (backoffLimit !== 0) report('backoffLimit', `backoffLimit is ${show(backoffLimit)}; untrusted code must not be retried`, 'Set backoffLimit: 0.');
    const restart = job.spec.template?.spec?.restartPolicy;
    if (restart !== 'Never') report('template.spec.restartPolicy', `restartPolicy is ${show(restart)}; must be Never`, 'Set the pod template restartPolicy: Never.');
  }),

  podRule('image-pinned', 21, 'Images are pinned to a tag other than latest, or a digest', ['KL', 'POL', 'KSc'],
    'Name the image with a version tag (repo/image:1.2.3) or a digest (repo/image@sha256:...).',
    (pod, report) => {
      for (const { container, path } of pod.containers) {
        const problem = imagePinProblem(container.image);
        if (problem) report(`${path}.image`, `container "${container.name}" ${problem}`);
      }
    }, {
      hardening: refuse('only the image\'s publisher knows which version to pin'),
      admission: [pod(everyContainer(`type(c.image) == string && (c.image.matches('^[^@]*@sha256:[a-f0-9]{64}$') || (c.image.matches('^[^@]*:[^:/@]+@?$') && !c.image.lowerAscii().matches(':latest@?$')))`),
        { message: 'an image is not pinned to a tag other than latest, or to a sha256 digest' })],
    }),

  podRule('no-secret-env', 22, 'No Secrets in environment variables of untrusted code', ['KL', 'KS', 'POL'],
    'Do not hand Secrets to untrusted code through env or envFrom; mount only what it must read, as a file.',
    (pod, report) => {
      for (const { container, path } of pod.containers) {
        (container.env ?? []).forEach((env: any, i: number) => {
          if (env.valueFrom?.secretKeyRef) report(`${path}.env[${i}].valueFrom.secretKeyRef`, `container "${container.name}" reads Secret "${env.valueFrom.secretKeyRef.name}" into env ${env.name}`);
        });
        (container.envFrom ?? []).forEach((from: any, i: number) => {
          if (from.secretRef) report(`${path}.envFrom[${i}].secretRef`, `container "${container.name}" loads Secret "${from.secretRef.name}" into its environment`);
        });
      }
    }, {
      hardening: refuse('the processes read the variable; dropping it breaks them, so the Secret must move to a mounted file'),
      admission: [pod(everyContainer(`(!has(c.env) || c.env.all(e, !(${celHas('e', 'valueFrom.secretKeyRef')}))) && (!has(c.envFrom) || c.envFrom.all(f, !has(f.secretRef)))`),
        { message: 'a container reads a Secret into its environment' })],
    }),

  podRule('no-host-process', 26, 'No Windows HostProcess containers', ['PSS', 'POL', 'Kyverno'],
    'Remove securityContext.windowsOptions.hostProcess (or set it to false) on the pod and on every container.',
    (pod, report) => {
      const own = pod.spec.securityContext?.windowsOptions?.hostProcess;
      if (isSwitchedOn(own)) report(`${pod.specPath}.securityContext.windowsOptions.hostProcess`, `pod windowsOptions.hostProcess is ${show(own)}; a HostProcess container runs on the node itself, outside any sandbox`);
      for (const { container, path } of pod.containers) {
        const value = container.securityContext?.windowsOptions?.hostProcess;
        if (isSwitchedOn(value)) report(`${path}.securityContext.windowsOptions.hostProcess`, `container "${container.name}" windowsOptions.hostProcess is ${show(value)}; a HostProcess container runs on the node itself, outside any sandbox`);
      }
    }, {
      hardening: refuse('a HostProcess container runs on the node itself; no field change keeps its purpose'),
      unwaivable: 'all',
      admission: [pod(`${celSwitchOff(PSC, 'windowsOptions.hostProcess')} && ${everyContainer(celSwitchOff('c', 'securityContext.windowsOptions.hostProcess'))}`, { message: 'a HostProcess container runs on the node itself, outside any sandbox' })],
    }),

  podRule('no-shared-process-namespace', 27, 'Containers of a pod do not share one process namespace', ['project'],
    'Remove spec.shareProcessNamespace (or set it to false).',
    (pod, report) => {
      const value = pod.spec.shareProcessNamespace;
      if (isSwitchedOn(value)) report(`${pod.specPath}.shareProcessNamespace`, `shareProcessNamespace is ${show(value)}; every container of the pod sees and signals the others' processes and reads their files through /proc/<pid>/root`);
    }, {
      hardening: refuse('its containers were made to see each other\'s processes (a sidecar that signals or inspects another)'),
      admission: [pod(celSwitchOff(P, 'shareProcessNamespace'), { message: 'the pod shares one process namespace among its containers' })],
    }),

  podRule('gvisor-host-users', 28, 'Sandboxed pods leave hostUsers unset: gVisor has no user namespaces for the kubelet to map', ['project', 'GKE'],
    'Remove spec.hostUsers (or set it to true): gVisor already keeps the pod\'s root away from the node\'s, and the kubelet refuses hostUsers: false for runsc.',
    (pod, report) => {
      const value = pod.spec.hostUsers;
      if (value === false) report(`${pod.specPath}.hostUsers`, 'hostUsers is false; runsc does not support user namespaces, so the kubelet refuses to start the pod (it never runs)');
    }, {
      hardening: refuse('the manifest asks for a user namespace on purpose; only its author can drop the request'),
      admission: [pod(`!(has(${P}.hostUsers) && ${P}.hostUsers == false)`, { message: 'the pod sets hostUsers: false, which runsc does not support: the kubelet refuses to start it' })],
    }),
];

/** Applies the defaults of the check options in one place. */
export function resolveCheckOptions(options: CheckOptions = {}): Required<CheckOptions> {
  return { runtimeClassName: runtimeClassNameOr(options.runtimeClassName) };
}

/** The view checks of RULES, in order. */
const RULE_VIEW_CHECKS: readonly ViewCheck[] = RULES.map((r) => VIEW_CHECKS.get(r)!);

/** Every rule over one object, sharing one view of it (its pod template and containers, worked out once). */
function checkInto(sink: FindingSink, obj: KubeObject, options: Required<CheckOptions>): void {
  sink.obj = obj;
  const view = viewOf(obj);
  for (const run of RULE_VIEW_CHECKS) run(view, sink, options);
}

/** Runs every rule of the profile over one object. */
export function checkObject(obj: KubeObject, options: CheckOptions = {}): Finding[] {
  const sink = new FindingSink();
  checkInto(sink, obj, resolveCheckOptions(options));
  return sink.findings;
}

/**
 * Runs the profile's pod rules over pod templates found inside an object of a kind the profile does not
 * know (see `embeddedPodsOf`); findings name the object and the template's own paths.
 */
export function checkPodTemplatesIn(obj: KubeObject, templates: readonly PodTemplateLocation[], options: CheckOptions = {}): Finding[] {
  const resolved = resolveCheckOptions(options);
  const sink = new FindingSink();
  sink.obj = obj;
  for (const t of templates) {
    const view: ObjectView = { obj, pod: new PodTemplateView(t.specPath, t.spec, t.metadata) };
    for (const run of RULE_VIEW_CHECKS) run(view, sink, resolved);
  }
  return sink.findings;
}

/** Runs every rule of the profile over many objects. */
export function checkObjects(objects: readonly KubeObject[], options: CheckOptions = {}): Finding[] {
  const resolved = resolveCheckOptions(options);
  const sink = new FindingSink();
  for (const obj of objects) checkInto(sink, obj, resolved);
  return sink.findings;
}

/** Looks a rule up by id. */
export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
