// CodeRunnerJob: run one user submission once, under gVisor, with a soft timeout, a hard deadline and no network.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { CodeRunnerJobProps, buildCodeRun } from '../builders/code-runner';
import { dnsLabelFromId } from '../builders/validate';
import { SANDBOX_DEFAULTS } from '../profile';
import { ISandboxWorkload } from '../builders/network';
import { SandboxSynthGuard } from './synth-guard';
import { addApiObjects } from './api-objects';
import { effectiveNamespace, namespaceFromScope } from './scope';

/**
 * A ConfigMap with the submitted code (mounted read-only at /workspace), a Job that runs it once in a
 * hardened gVisor pod, and a NetworkPolicy that denies the pod all ingress and egress.
 */
export class CodeRunnerJob extends Construct implements ISandboxWorkload {
  /** Name of the Job, ConfigMap and NetworkPolicy: a run id, or the name plus a hash of the pod's content. */
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
  /** The ConfigMap with the code, unless it came from `codeFrom`. */
  public readonly configMap?: ApiObject;
  /** The deny-all NetworkPolicy selecting the run's pod. */
  public readonly networkPolicy: ApiObject;

  constructor(scope: Construct, id: string, props: CodeRunnerJobProps) {
    super(scope, id);
    const namespace = props.namespace ?? namespaceFromScope(scope);
    const built = buildCodeRun(this.node.path, { ...props, namespace }, dnsLabelFromId(id));
    this.name = built.name;
    this.namespace = effectiveNamespace(this, namespace);
    this.selectorLabels = built.selectorLabels;
    this.podLabels = built.podLabels;
    this.runtimeClassName = props.runtimeClassName ?? SANDBOX_DEFAULTS.runtimeClassName;
    const apiObjects = addApiObjects(this, built.objects);
    const byKind = (kind: string) => apiObjects.find((o) => o.kind === kind);
    this.job = byKind('Job')!;
    this.configMap = byKind('ConfigMap');
    this.networkPolicy = byKind('NetworkPolicy')!;
    SandboxSynthGuard.of(this).register(this, { objects: apiObjects, runtimeClassName: this.runtimeClassName, workload: this.job, policy: this.networkPolicy });
  }
}
