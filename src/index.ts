// cdk8s-sandbox: the public API, named one by one (test/public-api.test.ts checks it against api/public-api.md).
// Everything here is jsii-compatible and ships to Python, Java, Go and .NET; the Node-only tools are
// `cdk8s-sandbox/audit` and `cdk8s-sandbox/runner`.

// Constructs and their props.
export { SandboxedDeployment, type SandboxedDeploymentProps } from './constructs/sandboxed-deployment';
export { CodeRunnerJob, type CodeRunnerJobProps } from './constructs/code-runner-job';
export { SandboxedCronJob, type SandboxedCronJobProps } from './constructs/sandboxed-cron-job';
export { SandboxedStatefulSet, type SandboxedStatefulSetProps } from './constructs/sandboxed-stateful-set';
export { SandboxNetworkPolicy, type SandboxNetworkPolicyProps } from './constructs/sandbox-network-policy';
export { WorkloadSelector } from './constructs/workload-selector';
export { SandboxNamespace, type SandboxNamespaceProps } from './constructs/sandbox-namespace';
export { GvisorRuntimeClass, type GvisorRuntimeClassProps } from './constructs/gvisor-runtime-class';
export { SandboxQueue, type SandboxQueueProps, type SandboxQueueQuota } from './constructs/sandbox-queue';
export { SandboxRuntimes } from './constructs/sandbox-runtimes';
export { SandboxHardening, type SandboxHardeningProps, type HardeningSuppression } from './constructs/sandbox-hardening';
export {
  SandboxAdmissionPolicy, AdmissionScope, type SandboxAdmissionPolicyProps, type ClusterAdmissionScopeOptions,
} from './constructs/sandbox-admission-policy';
export { AdmissionScopeKind } from './builders/admission-policy';

// The props' parts.
export {
  Protocol, SeccompProfileType,
  type SandboxPort, type SandboxResources, type WritablePath, type SandboxVolumeMount, type SandboxContainerSecurity,
  type SandboxPodSecurity, type SandboxContainerBaseProps, type SandboxContainerProps, type SandboxPodProps,
  type SandboxWorkloadIdentityProps, type SandboxWorkloadProps,
  ImagePullPolicy, TolerationOperator, TaintEffect, NodeSelectorOperator, LabelSelectorOperator, UnsatisfiableConstraintAction,
  type SandboxToleration, type NodeSelectorRequirement, type NodeSelectorTerm, type WeightedNodeSelectorTerm, type SandboxNodeAffinity,
  type LabelSelectorRequirement, type SandboxLabelSelector, type PodAffinityTerm, type WeightedPodAffinityTerm, type SandboxPodAffinity,
  type SandboxAffinity, type SandboxTopologySpreadConstraint,
} from './builders/pod-props';
export { ConcurrencyPolicy } from './builders/cron-job';
export {
  PodManagementPolicy, PersistentVolumeAccessMode, PersistentVolumeClaimRetention, StatefulSetUpdateStrategy,
  type SandboxVolumeClaimTemplate, type SandboxPersistentVolumeClaimRetentionPolicy, type StatefulSetRollingUpdateOptions,
} from './builders/stateful-set';
export type { SandboxQuota, SandboxLimitRange } from './builders/namespace';
export { SandboxPlatform, type RuntimeClassToleration } from './builders/runtime-class';
export { QueueingStrategy } from './builders/queue';
export { DnsMode, FqdnProvider, NetworkPeer, type NetworkPort, type NetworkRule, type ISandboxWorkload, type IWorkloadReference } from './builders/network';

// Choice classes.
export { EnvValue, type EnvFromConfigMapOptions } from './builders/env';
export { Probe, type ProbeOptions, type HttpGetProbeOptions, type TcpSocketProbeOptions } from './builders/probe';
export { SandboxVolume, type SandboxFileVolumeOptions } from './builders/volume';
export { Language, type CustomLanguageProps } from './builders/language';
export { CodeSource } from './builders/code-runner';

// The per-submission render entry point, the profile's rules and defaults, and the errors.
export { CodeRun, type RenderOptions, type RenderedCodeRun } from './builders/render';
export { SandboxProfile, SandboxDefaults, RuleWaiver, type ProfileRule } from './profile/sandbox-profile';
export { SandboxErrors } from './builders/errors';
