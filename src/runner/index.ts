// Local gVisor execution of synthesized workloads: the pure planner and the runsc runner.
export * from './errors';
export * from './bundle';
export * from './bundle-writer';
// The one bundle writer (runsc.ts's former copy, if still present, is shadowed by this explicit export).
export { writeBundle } from './bundle-writer';
export * from './quantity';
export * from './manifests';
export * from './env';
export * from './rootfs';
export * from './volumes';
export * from './plan';
export * from './runsc';
