// The pod annotations that tune gVisor for a sandboxed pod: what runsc reads from the pod (through containerd,
// which passes `dev.gvisor.*` annotations on when its config lists them, as GKE Sandbox's does).
import { GVISOR_OCI_SECCOMP_ANNOTATION, PodSpecJson } from '../profile';
import { Site, fail } from './validate';

/** The prefix of gVisor's mount hints: `dev.gvisor.spec.mount.<volume>.<field>`. */
export const GVISOR_MOUNT_HINT_PREFIX = 'dev.gvisor.spec.mount.';

/**
 * The gVisor annotations of a sandboxed pod template:
 * - `dev.gvisor.flag.oci-seccomp: "true"` (unless `ociSeccomp` is false): gVisor ignores the pod's seccompProfile
 *   unless the pod asks for it with this allow-listed, only-tightening runsc flag; with it, the RuntimeDefault
 *   profile filters the sandboxed processes' syscalls inside the sandbox as well.
 * - per emptyDir volume, `dev.gvisor.spec.mount.<volume>.type: tmpfs` and `.share: pod`: the volume becomes a
 *   sandbox-internal tmpfs (faster, and the code's writes never reach the node's filesystem through the
 *   gofer); gVisor's containerd shim fills in the volume's `source`.
 */
export function gvisorPodAnnotations(spec: PodSpecJson, ociSeccomp = true): { [key: string]: string } {
  const annotations: { [key: string]: string } = ociSeccomp ? { [GVISOR_OCI_SECCOMP_ANNOTATION]: 'true' } : {};
  for (const volume of spec.volumes ?? []) {
    if (volume.emptyDir === undefined) continue;
    annotations[`${GVISOR_MOUNT_HINT_PREFIX}${volume.name}.share`] = 'pod';
    annotations[`${GVISOR_MOUNT_HINT_PREFIX}${volume.name}.type`] = 'tmpfs';
  }
  return annotations;
}

/** The `gvisorSeccomp` prop, checked, with its default (true). */
export function checkGvisorSeccomp(site: Site, value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') fail(site, 'gvisorSeccomp', value, 'must be true or false');
  return value;
}
