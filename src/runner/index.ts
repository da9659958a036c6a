// cdk8s-sandbox/runner (Node only): runs a synthesized workload locally under real gVisor (runsc).
export { runWorkload, locateRunsc, RUNSC_INSTALL_HINT, DEFAULT_OUTPUT_TAIL_BYTES, type RunWorkloadOptions, type RunResult } from './runsc';
export { runReportOf, RUN_REPORT_TAIL_BYTES, type RunReport, type RunReportWorkload, type RunReportMemory, type StopReason, type SoftTimeout } from './result';
export type { MemoryEvents } from './memory-cgroup';
export type { RunResultMessage } from '../builders/run-wrapper';
export { OCI_SECCOMP_ANNOTATION, type SeccompMode } from './seccomp';
export { parseManifests } from './manifests';
export { DEFAULT_PIDS_LIMIT } from './plan';
export { RunnerError } from './errors';
export type { KubeObject, ObjectMeta } from '../profile/kube';
