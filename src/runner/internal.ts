// Every module of the runner, for the CLI and the tests; the public surface is ./index.ts.
export * from './errors';
export * from './bundle';
export * from './bundle-writer';
export * from './quantity';
export * from './manifests';
export * from './env';
export * from './rootfs';
export * from './volumes';
export * from './plan';
export * from './seccomp';
export * from './runsc';
export * from './memory-cgroup';
export * from './result';
export * from './termination-message';
