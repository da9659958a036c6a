// Local gVisor execution of synthesized workloads: the pure planner and the runsc runner.
export * from './errors';
export * from './bundle';
export * from './bundle-writer';
export * from './quantity';
export * from './manifests';
export * from './env';
export * from './rootfs';
export * from './volumes';
export * from './plan';
export * from './runsc';
