// GvisorRuntimeClass: the RuntimeClass sandboxed pods name, emitted only where the platform does not provide it.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { RuntimeClassToleration, SandboxPlatform, buildGvisorRuntimeClass } from '../builders/runtime-class';
import { addClusterScopedApiObject } from './api-objects';
import { SandboxSynthGuard } from './synth-guard';

/** Props of a GvisorRuntimeClass. */
export interface GvisorRuntimeClassProps {
  /** Platform. */
  readonly platform: SandboxPlatform;
  /**
   * RuntimeClass name pods refer to.
   * @default 'gvisor'
   */
  readonly name?: string;
  /**
   * containerd runtime handler (self-managed only): `runsc`, or `gvisor` where containerd names its runsc
   * runtime so (as GKE does). Any other handler (runc, kata, crun) would run the pods without gVisor.
   * @default 'runsc'
   */
  readonly handler?: string;
  /**
   * Fixed per-pod CPU overhead of the sandbox (self-managed only), e.g. '100m'.
   * @default - none
   */
  readonly overheadCpu?: string;
  /**
   * Fixed per-pod memory overhead of the sandbox (self-managed only), e.g. '64Mi'.
   * @default - none
   */
  readonly overheadMemory?: string;
  /**
   * Node labels gVisor nodes carry (self-managed only).
   * @default - none
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Tolerations of gVisor nodes' taints (self-managed only).
   * @default - none
   */
  readonly tolerations?: RuntimeClassToleration[];
}

/**
 * The gVisor RuntimeClass. On GKE (SandboxPlatform.GKE) GKE installs `gvisor` with its node selector and
 * toleration, so nothing is emitted; on a self-managed cluster it emits `handler: runsc` (or `gvisor`; any
 * other handler is refused), an optional fixed pod overhead and optional scheduling. Pass
 * `runtimeClassName: rc.name` to the workloads.
 */
export class GvisorRuntimeClass extends Construct {
  /** The RuntimeClass name pods refer to. */
  public readonly name: string;
  /** The RuntimeClass object, on self-managed clusters. */
  public readonly runtimeClass?: ApiObject;

  constructor(scope: Construct, id: string, props: GvisorRuntimeClassProps) {
    super(scope, id);
    const built = buildGvisorRuntimeClass(this.node.path, props);
    this.name = built.name;
    // Pods of the app may name it: the synth checks accept it as a sandboxed runtime.
    SandboxSynthGuard.of(this).addGvisorRuntimeClass(this.name);
    if (built.runtimeClass) this.runtimeClass = addClusterScopedApiObject(this, 'RuntimeClass', built.runtimeClass);
  }
}
