// CodeRunnerJob: run one user submission once, under gVisor, with a soft timeout, a hard deadline and no network.
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CodeSource, buildCodeRun } from '../builders/code-runner';
import { dnsLabelFromId } from '../builders/validate';
import { KubeObject, runtimeClassNameOr } from '../profile';
import { ISandboxWorkload } from '../builders/network';
import { SandboxSynthGuard } from './synth-guard';
import { addApiObject, addApiObjects } from './api-objects';
import { effectiveNamespace, namespaceFromScope } from './scope';
import { EnvValue } from '../builders/env';
import { Language } from '../builders/language';
import { ImagePullPolicy, SandboxPodProps, SandboxResources, SandboxWorkloadIdentityProps, WritablePath } from '../builders/pod-props';

/** One user submission, run once under gVisor with hard limits. */
export interface CodeRunnerJobProps extends SandboxWorkloadIdentityProps, SandboxPodProps {
  /**
   * The code, as a single file named after the language's entry file (e.g. `main.py`).
   * Give exactly one of `code`, `files` and `codeFrom`.
   * @default - none
   */
  readonly code?: string;
  /**
   * The code as several files, path -> content. Up to about 192 KiB in all, the files travel in the pod's own
   * annotations; bigger code, or code with characters YAML cannot carry safely, goes in a ConfigMap of the run.
   * A path may name folders (`pkg/mod.py`), relative to the code mount; `..`, absolute paths and empty segments
   * are refused.
   * @default - none
   */
  readonly files?: { [fileName: string]: string };
  /**
   * An existing ConfigMap or Secret that holds the code.
   * @default - none
   */
  readonly codeFrom?: CodeSource;
  /**
   * Language preset: image, command and environment.
   * @default Language.PYTHON
   */
  readonly language?: Language;
  /**
   * The file the command runs.
   * @default - the language's entry file (main.py, main.js, main.sh)
   */
  readonly entryFile?: string;
  /**
   * Image instead of the language's.
   * @default - the language's image
   */
  readonly image?: string;
  /**
   * When the kubelet pulls the runner's image.
   * @default - Kubernetes' default (`IfNotPresent` for a tagged image)
   */
  readonly imagePullPolicy?: ImagePullPolicy;
  /**
   * Command instead of the language's; it is still wrapped in the soft timeout and the result wrapper (unless `softTimeout` is false).
   * @default - the language's command followed by the entry file's path
   */
  readonly command?: string[];
  /**
   * Extra environment variables.
   * @default - the language's environment, HOME and TMPDIR
   */
  readonly env?: { [name: string]: EnvValue };
  /**
   * Whether the command runs under the soft timeout (`timeout -k 5 <timeoutSeconds>`) in a small POSIX sh
   * wrapper that writes the run's result as JSON into the termination message (README, "Reading a run's
   * result"). It needs `sh`, `timeout`, `tee`, `tail`, `tr`, `date` and `awk` in the image (Debian, Alpine and
   * busybox images have them). Set false for images without them (distroless); the hard deadline still stops
   * the run. A wrapper of your own goes in `command`.
   * @default true
   */
  readonly softTimeout?: boolean;
  /**
   * Soft limit: the command runs under `timeout` for this many seconds, then gets 5 more to exit after SIGTERM.
   * @default 30 (none when `softTimeout` is false)
   */
  readonly timeoutSeconds?: number;
  /**
   * Hard limit: the pod's activeDeadlineSeconds (the Job's is 30 s more, for the time before the pod starts);
   * must exceed `timeoutSeconds` plus the soft timeout's 5-second kill grace.
   * @default 60
   */
  readonly deadlineSeconds?: number;
  /**
   * Seconds a finished Job (and its pod and logs) is kept.
   * @default 300
   */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * The Kueue LocalQueue the run waits in (`SandboxQueue.queueName`): the Job is created suspended and labelled
   * `kueue.x-k8s.io/queue-name`, and Kueue starts it when the queue's quota allows. It must live in the
   * LocalQueue's namespace.
   * @default - not queued: the Job starts at once
   */
  readonly queueName?: string;
  /**
   * A run id the platform chooses, used as the objects' name (a DNS label of at most 63 characters).
   * @default - `<name>-<hash of everything that shapes the pod>`
   */
  readonly runId?: string;
  /**
   * Requests and limits.
   * @default - requests 250m/256Mi, limits 500m/512Mi, ephemeral storage 64Mi/256Mi
   */
  readonly resources?: SandboxResources;
  /**
   * Writable directories.
   * @default [{ path: '/tmp', sizeLimit: '64Mi' }]
   */
  readonly writablePaths?: WritablePath[];
}

/**
 * A Job that runs the submitted code once in a hardened gVisor pod, with the code in the pod itself (annotations
 * projected read-only at /workspace; a ConfigMap of the run's when the code is too big), isolated by the
 * namespace's shared `code-run-deny-all` NetworkPolicy, which denies every code-run pod all ingress and egress.
 */
export class CodeRunnerJob extends Construct implements ISandboxWorkload {
  /** Name of the Job (and of its ConfigMap): a run id, or the name plus a hash of the pod's content. */
  public readonly name: string;
  /** Namespace of the pods: from props, the enclosing SandboxNamespace, or the chart. */
  public readonly namespace?: string;
  /** Labels that select exactly this run's pod. */
  public readonly selectorLabels: { readonly [key: string]: string };
  /** Every label of the run's pod. */
  public readonly podLabels: { readonly [key: string]: string };
  /** The RuntimeClass the pod runs under. */
  public readonly runtimeClassName: string;
  /** The Job. */
  public readonly job: ApiObject;
  /** The ConfigMap with the code, when the code is too big to travel in the pod. */
  public readonly configMap?: ApiObject;
  /**
   * The deny-all NetworkPolicy selecting every code-run pod of the namespace: one per chart and namespace,
   * shared by its runs (made by the first of them), so no run leaves a policy behind.
   */
  public readonly networkPolicy: ApiObject;

  constructor(scope: Construct, id: string, props: CodeRunnerJobProps) {
    super(scope, id);
    const namespace = props.namespace ?? namespaceFromScope(scope);
    const built = buildCodeRun(this.node.path, { ...props, namespace }, dnsLabelFromId(id));
    this.name = built.name;
    this.namespace = effectiveNamespace(this, namespace);
    this.selectorLabels = built.selectorLabels;
    this.podLabels = built.podLabels;
    this.runtimeClassName = runtimeClassNameOr(props.runtimeClassName);
    const apiObjects = addApiObjects(this, built.objects);
    const byKind = (kind: string) => apiObjects.find((o) => o.kind === kind);
    this.job = byKind('Job')!;
    this.configMap = byKind('ConfigMap');
    const shared = sharedIsolationPolicy(this, this.namespace, built.isolationPolicy);
    this.networkPolicy = shared.policy;
    // The policy comes first in the YAML, so that `kubectl apply` isolates the pod before it starts.
    for (const obj of apiObjects) obj.node.addDependency(shared.policy);
    SandboxSynthGuard.of(this).register(this, {
      objects: shared.created ? [...apiObjects, shared.policy] : apiObjects,
      runtimeClassName: this.runtimeClassName,
      workload: this.job,
      ...(shared.created ? { policy: shared.policy } : {}),
    });
  }
}

/** The chart's one code-run deny-all policy for `namespace`, made by the first run that needs it. */
function sharedIsolationPolicy(run: Construct, namespace: string | undefined, policy: KubeObject): { policy: ApiObject; created: boolean } {
  const chart = Chart.of(run);
  const id = `cdk8s-sandbox-code-run-isolation${namespace ? `-${namespace}` : ''}`;
  const existing = chart.node.tryFindChild(id) as ApiObject | undefined;
  if (existing) return { policy: existing, created: false };
  return { policy: addApiObject(chart, id, policy), created: true };
}
