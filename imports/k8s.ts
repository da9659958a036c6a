// Kubernetes 1.27 L1 types. `cdk8s import k8s` needs the internet; cdk8s-plus-27 ships the same module.
export * from 'cdk8s-plus-27/lib/imports/k8s';
