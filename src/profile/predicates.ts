// The profile's predicates, shared: the rules judge objects with them and the builders refuse props with them.
import { SANDBOX_DEFAULTS } from './defaults';

/** The RuntimeClass a pod names: the one given, or the profile's. */
export function runtimeClassNameOr(given: string | undefined): string {
  return given ?? SANDBOX_DEFAULTS.runtimeClassName;
}

/** The capabilities of `add` the profile never allows back after dropping ALL (`CAP_` prefixes ignored). */
export function disallowedAddedCapabilities(add: readonly unknown[]): unknown[] {
  return add.filter((cap) => !SANDBOX_DEFAULTS.allowedAddCapabilities.includes(String(cap).replace(/^CAP_/, '')));
}

/** The source types of a Kubernetes volume (every key but `name`); a valid volume has exactly one. */
export function volumeTypesOf(volume: { [key: string]: unknown }): string[] {
  return Object.keys(volume).filter((k) => k !== 'name');
}

/** Whether a sandboxed pod may use a volume source of this type (PSS restricted's list). */
export function isAllowedVolumeType(type: string): boolean {
  return SANDBOX_DEFAULTS.allowedVolumeTypes.includes(type);
}

/** The indexes of a projected volume's sources that project a service-account token. */
export function tokenProjectionsOf(volume: { [key: string]: any }): number[] {
  const sources = volume.projected?.sources;
  if (!Array.isArray(sources)) return [];
  return sources.flatMap((s, i) => (s !== null && typeof s === 'object' && (s as { serviceAccountToken?: unknown }).serviceAccountToken ? [i] : []));
}
