// cdk8s-sandbox: constructs, builders and the hardening profile for untrusted code under gVisor.
export * from './profile';
export { SandboxValidationError, SandboxProfileViolationError } from './builders/errors';
export { EnvValue, EnvFromConfigMapOptions } from './builders/env';
export { Probe, ProbeOptions, HttpGetProbeOptions, TcpSocketProbeOptions } from './builders/probe';
export { SandboxVolume, SandboxFileVolumeOptions } from './builders/volume';
export * from './builders/pod-props';
export { SandboxedDeploymentProps, SandboxedDeploymentObjects, buildSandboxedDeployment } from './builders/deployment';
export { assertProfile, describeFinding } from './builders/compliance';
export { SandboxedDeployment } from './constructs/sandboxed-deployment';
export { Language, CustomLanguageProps } from './builders/language';
export { CodeRunnerJobProps, CodeRunObjects, CodeSource, buildCodeRun, CODE_MOUNT_PATH, CONFIGMAP_MAX_BYTES } from './builders/code-runner';
export { renderCodeRun, renderCodeRunObjects, toYaml, RenderOptions, RenderedCodeRun } from './builders/render';
export { CodeRunnerJob } from './constructs/code-runner-job';
