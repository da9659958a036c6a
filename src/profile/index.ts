// The hardening profile: rules as data, the defaults they imply, and the checks.
export * from './kube';
export * from './quantity';
export * from './rule';
export * from './defaults';
export * from './rules';
export * from './cross-resource';
export * from './namespace-bounds';
export * from './storage-rules';
export * from './predicates';
export * from './suppress';
export * from './admission';
export * from './fqdn';
export * from './harden-fill';
export * from './harden';
