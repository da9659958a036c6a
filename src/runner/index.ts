// cdk8s-sandbox/runner (Node only): runs a synthesized workload locally under real gVisor (runsc).
export { runWorkload, locateRunsc, RUNSC_INSTALL_HINT, DEFAULT_OUTPUT_TAIL_BYTES, type RunWorkloadOptions, type RunResult } from './runsc';
export { parseManifests } from './manifests';
export { DEFAULT_PIDS_LIMIT } from './plan';
export { RunnerError } from './errors';
export type { KubeObject, ObjectMeta } from '../profile/kube';
