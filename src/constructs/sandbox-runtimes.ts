// SandboxRuntimes: which runtime classes the sandbox constructs of an app may name besides gVisor's own.
import { IConstruct } from 'constructs';
import { checkDnsSubdomain, fail } from '../builders/validate';
import { SANDBOX_DEFAULTS } from '../profile';
import { SandboxSynthGuard } from './synth-guard';

/**
 * The runtime classes sandboxed pods may name. At synth, a SandboxedDeployment or CodeRunnerJob must name
 * `gvisor` (GKE Sandbox), the name of a GvisorRuntimeClass in the same app, or a name allowed here on
 * purpose (a self-managed cluster whose gVisor RuntimeClass is made elsewhere); anything else is refused.
 */
export class SandboxRuntimes {
  /** GKE Sandbox's RuntimeClass, always allowed. */
  public static readonly GVISOR: string = SANDBOX_DEFAULTS.runtimeClassName;

  /**
   * Allows the sandbox constructs of `scope`'s app to name `runtimeClassName`, which must be a gVisor
   * RuntimeClass (handler `runsc`) defined outside this app; `reason` records why, for reviewers.
   */
  public static allow(scope: IConstruct, runtimeClassName: string, reason: string): void {
    const site = { where: scope.node.path || '(app)', prefix: '' };
    checkDnsSubdomain(site, 'runtimeClassName', runtimeClassName);
    if (typeof reason !== 'string' || reason.trim() === '') {
      fail(site, 'reason', reason, `SandboxRuntimes.allow(${JSON.stringify(runtimeClassName)}) needs a reason: say which gVisor RuntimeClass it is and where it is defined`);
    }
    SandboxSynthGuard.of(scope).allowRuntimeClass(runtimeClassName, reason, site.where);
  }

  private constructor() {}
}
