// SandboxAdmissionPolicy: the profile enforced by the API server itself, for whatever applies the objects.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AdmissionScopeKind, buildAdmissionPolicy, resolveAdmissionPolicy } from '../builders/admission-policy';
import { addClusterScopedApiObject } from './api-objects';

/** Options of a cluster-wide binding. */
export interface ClusterAdmissionScopeOptions {
  /**
   * Namespaces the binding leaves out, beside kube-system, kube-public and kube-node-lease (always left out).
   * @default []
   */
  readonly exclude?: string[];
}

/** Where a SandboxAdmissionPolicy's binding puts it in force. */
export class AdmissionScope {
  /** The namespaces a SandboxNamespace made: they carry the label `cdk8s-sandbox.io/sandboxed: "true"`. */
  public static sandboxNamespaces(): AdmissionScope {
    return new AdmissionScope(AdmissionScopeKind.SANDBOX_NAMESPACES, []);
  }

  /** Every namespace of the cluster but Kubernetes' own (kube-system, kube-public, kube-node-lease) and `exclude`. */
  public static cluster(options: ClusterAdmissionScopeOptions = {}): AdmissionScope {
    return new AdmissionScope(AdmissionScopeKind.CLUSTER, [...(options.exclude ?? [])]);
  }

  /** Which namespaces. */
  public readonly kind: AdmissionScopeKind;
  /** Namespaces left out beside the system ones. */
  public readonly excludedNamespaces: string[];

  private constructor(kind: AdmissionScopeKind, excludedNamespaces: string[]) {
    this.kind = kind;
    this.excludedNamespaces = excludedNamespaces;
  }
}

/** Props of a SandboxAdmissionPolicy. */
export interface SandboxAdmissionPolicyProps {
  /**
   * Name of the ValidatingAdmissionPolicy and of its binding.
   * @default 'cdk8s-sandbox'
   */
  readonly name?: string;
  /**
   * The RuntimeClass names sandboxed pods may name.
   * @default ['gvisor']
   */
  readonly runtimeClassNames?: string[];
  /**
   * Namespaces the policy never judges, whatever the scope.
   * @default []
   */
  readonly exemptNamespaces?: string[];
  /**
   * The annotation whose `rule-id: reason` lines waive a rule on one object (a line without a reason waives
   * nothing, and what a sandbox can never waive stays denied).
   * @default 'cdk8s-sandbox.io/suppress'
   */
  readonly suppressionAnnotation?: string;
  /**
   * Where the binding applies.
   * @default AdmissionScope.sandboxNamespaces()
   */
  readonly scope?: AdmissionScope;
}

/**
 * A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes 1.31+) and its binding
 * (`validationActions: [Deny]`, `failurePolicy: Fail`), generated from the profile's rules: the API server
 * refuses any pod, workload or NetworkPolicy that the audit would flag for a per-object rule, whoever
 * applies it. Rules that judge several objects together stay with the audit; the policy's
 * `cdk8s-sandbox.io/audit-only` annotation lists them.
 */
export class SandboxAdmissionPolicy extends Construct {
  /** The name of the policy and of its binding. */
  public readonly name: string;
  /** The ValidatingAdmissionPolicy. */
  public readonly policy: ApiObject;
  /** The ValidatingAdmissionPolicyBinding. */
  public readonly binding: ApiObject;

  constructor(scope: Construct, id: string, props: SandboxAdmissionPolicyProps = {}) {
    super(scope, id);
    const resolved = resolveAdmissionPolicy(this.node.path, props);
    const built = buildAdmissionPolicy(resolved);
    this.name = resolved.name;
    this.policy = addClusterScopedApiObject(this, 'Policy', built.policy);
    this.binding = addClusterScopedApiObject(this, 'Binding', built.binding);
  }
}
