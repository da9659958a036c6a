// A cdk8s-cli validation plugin: `cdk8s synth` runs the audit over the manifests it just wrote and
// fails with the report when any object violates the profile. The plugin contract is duck-typed, so
// the interfaces below mirror the parts of cdk8s-cli's `Validation` this plugin uses.
import { AuditFinding, AuditOptions, auditManifests } from './audit';
import { summaryLine } from './report-text';
import { toolVersion } from './tool';

/** Properties of the plugin, as given under `properties:` of its `validations:` entry in cdk8s.yaml. */
export interface SandboxAuditValidationProps {
  /**
   * The RuntimeClass sandboxed pods must name.
   * @default 'gvisor'
   */
  readonly runtimeClassName?: string;
  /**
   * Audit only objects of this namespace (objects that name none are taken to live in it).
   * @default - every namespace
   */
  readonly namespace?: string;
  /**
   * Audit only pods that set a runtimeClassName.
   * @default false
   */
  readonly onlyRuntimeClass?: boolean;
  /**
   * Rule ids to ignore for the whole synth.
   * @default []
   */
  readonly ignoreRules?: string[];
}

/** The parts of cdk8s-cli's ValidationViolation the plugin fills in. */
interface Violation {
  readonly ruleName: string;
  readonly recommendation: string;
  readonly fix: string;
  readonly violatingResources: { readonly resourceName: string; readonly locations: string[]; readonly manifestPath: string }[];
}

/** The parts of cdk8s-cli's ValidationContext the plugin uses. */
export interface ValidationContextLike {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(violation: Violation): void;
    submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
  };
  readonly logger: { log(message: string): void };
}

/** Groups findings into one violation per rule, one violating resource per object. */
export function violationsOf(findings: readonly AuditFinding[]): Violation[] {
  const byRule = new Map<string, AuditFinding[]>();
  for (const f of findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  return [...byRule.entries()].map(([rule, list]) => {
    const byObject = new Map<string, Violation['violatingResources'][number]>();
    for (const f of list) {
      const key = `${f.file}\u0000${f.objectLine}`;
      const resource = byObject.get(key) ?? { resourceName: f.object.name, locations: [], manifestPath: f.file };
      resource.locations.push(`${f.object.kind} ${f.path} (line ${f.line}): ${f.message}`);
      byObject.set(key, resource);
    }
    return { ruleName: rule, recommendation: list[0].title, fix: [...new Set(list.map((f) => f.fix))].join(' '), violatingResources: [...byObject.values()] };
  });
}

/**
 * The cdk8s-cli validation plugin. In cdk8s.yaml:
 * `validations: [{ package: ./node_modules/cdk8s-sandbox/lib/src/audit/cdk8s-validation-plugin.js, version: 0.1.0, class: SandboxAuditValidation }]`.
 */
export class SandboxAuditValidation {
  private readonly options: AuditOptions;

  constructor(props: SandboxAuditValidationProps = {}) {
    this.options = {
      ...(props.runtimeClassName !== undefined ? { runtimeClassName: props.runtimeClassName } : {}),
      ...(props.namespace !== undefined ? { namespace: props.namespace } : {}),
      ...(props.onlyRuntimeClass !== undefined ? { onlyRuntimeClass: props.onlyRuntimeClass } : {}),
      ...(props.ignoreRules !== undefined ? { ignoreRules: props.ignoreRules } : {}),
    };
  }

  /** Audits the synthesized manifests and submits the report (failure on any finding or input error). */
  public async validate(context: ValidationContextLike): Promise<void> {
    const result = await auditManifests(context.manifests, this.options);
    for (const violation of violationsOf(result.findings)) context.report.addViolation(violation);
    for (const problem of result.problems) {
      if (problem.severity === 'error') {
        context.report.addViolation({
          ruleName: 'input', recommendation: 'The synthesized manifests must be readable YAML', fix: problem.message,
          violatingResources: [{ resourceName: problem.file, locations: [`${problem.file}${problem.line !== undefined ? `:${problem.line}` : ''}: ${problem.message}`], manifestPath: problem.file }],
        });
      }
    }
    context.report.submit(result.exitCode === 0 ? 'success' : 'failure', {
      summary: summaryLine(result), objects: String(result.objects), findings: String(result.findings.length), version: toolVersion(),
    });
  }
}
