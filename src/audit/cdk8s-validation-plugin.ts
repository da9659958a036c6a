// A cdk8s-cli validation plugin: `cdk8s synth` runs the audit over the manifests it just wrote and
// fails with the report when any object violates the profile. The plugin contract is duck-typed, so
// the interfaces below mirror the parts of cdk8s-cli's `Validation` this plugin uses.
import { AuditFinding, AuditOptions, auditManifests, resolveAuditOptions } from './audit';
import { summaryLine } from './report-text';
import { toolVersion } from './tool';

/**
 * Properties of the plugin, as given under `properties:` of its `validations:` entry in cdk8s.yaml: the
 * audit command's options, by their names (`--only-runtime-class` is `onlyRuntimeClass`). Unknown
 * properties are refused, so a misspelt option cannot silently leave the audit at its defaults.
 */
export interface SandboxAuditValidationProps {
  /**
   * Audit only objects of this namespace (objects that name none are taken to live in it); `--namespace`.
   * @default - every namespace
   */
  readonly namespace?: string;
  /**
   * Audit only pods that set a runtimeClassName; `--only-runtime-class`.
   * @default false
   */
  readonly onlyRuntimeClass?: boolean;
  /**
   * The RuntimeClass sandboxed pods must name; `--runtime-class`.
   * @default 'gvisor'
   */
  readonly runtimeClass?: string;
  /**
   * The same as `runtimeClass` (the name of the audit API's option); give one or the other.
   * @default 'gvisor'
   */
  readonly runtimeClassName?: string;
  /**
   * Rule ids to ignore for the whole synth (one id or a list); `--ignore-rule`.
   * @default []
   */
  readonly ignoreRule?: string | string[];
  /**
   * The same as `ignoreRule` (the name of the audit API's option); give one or the other.
   * @default []
   */
  readonly ignoreRules?: string | string[];
  /**
   * Fail on containers the audit cannot judge instead of warning about them; `--strict`.
   * @default false
   */
  readonly strict?: boolean;
}

/** The properties the plugin takes: the audit command's option names (but `format`), and two API spellings. */
export const PLUGIN_PROPERTY_NAMES: readonly string[] = ['namespace', 'onlyRuntimeClass', 'runtimeClass', 'runtimeClassName', 'ignoreRule', 'ignoreRules', 'strict'];

/** Why a property the plugin does not take is refused, when there is more to say than "unknown". */
const REFUSED_PROPERTIES: { readonly [name: string]: string } = {
  format: 'the plugin reports through cdk8s synth\'s own report; run `cdk8s-sandbox audit --format json|sarif` for the other formats',
};

/**
 * The audit options of the plugin's properties. Throws on a property it does not take (naming the ones
 * it does), on a value of the wrong type, on both spellings of one option, and on invalid values
 * (resolveAuditOptions: a namespace or RuntimeClass name that cannot exist, an unknown rule id).
 */
export function auditOptionsOfProperties(props: unknown): AuditOptions {
  if (props === undefined || props === null) return {};
  const fail = (message: string): never => { throw new Error(`cdk8s-sandbox audit validation plugin: ${message}`); };
  if (typeof props !== 'object' || Array.isArray(props)) fail(`properties must be a mapping, got ${JSON.stringify(props)}`);
  const given = props as { readonly [name: string]: unknown };
  const unknown = Object.keys(given).filter((k) => !PLUGIN_PROPERTY_NAMES.includes(k));
  if (unknown.length > 0) {
    fail(`unknown propert${unknown.length === 1 ? 'y' : 'ies'} ${unknown.map((k) => JSON.stringify(k) + (REFUSED_PROPERTIES[k] ? ` (${REFUSED_PROPERTIES[k]})` : '')).join(', ')}; `
      + `allowed: ${PLUGIN_PROPERTY_NAMES.join(', ')}`);
  }
  const typed = <T>(name: string, type: 'string' | 'boolean'): T | undefined => {
    const value = given[name];
    if (value === undefined) return undefined;
    if (typeof value !== type) fail(`property ${name} must be a ${type}, got ${JSON.stringify(value)}`);
    return value as T;
  };
  const list = (name: string): string[] | undefined => {
    const value = given[name];
    if (value === undefined) return undefined;
    if (typeof value === 'string') return [value];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail(`property ${name} must be a rule id or a list of rule ids, got ${JSON.stringify(value)}`);
    return value as string[];
  };
  const one = <T>(a: string, b: string, read: (name: string) => T | undefined): T | undefined => {
    if (given[a] !== undefined && given[b] !== undefined) fail(`give ${a} or ${b}, not both (they are the same option)`);
    return read(a) ?? read(b);
  };
  const namespace = typed<string>('namespace', 'string');
  const onlyRuntimeClass = typed<boolean>('onlyRuntimeClass', 'boolean');
  const runtimeClassName = one('runtimeClass', 'runtimeClassName', (n) => typed<string>(n, 'string'));
  const ignoreRules = one('ignoreRule', 'ignoreRules', list);
  const strict = typed<boolean>('strict', 'boolean');
  const options: AuditOptions = {
    ...(namespace !== undefined ? { namespace } : {}),
    ...(onlyRuntimeClass !== undefined ? { onlyRuntimeClass } : {}),
    ...(runtimeClassName !== undefined ? { runtimeClassName } : {}),
    ...(ignoreRules !== undefined ? { ignoreRules } : {}),
    ...(strict !== undefined ? { strict } : {}),
  };
  try {
    resolveAuditOptions(options);
  } catch (err: any) {
    fail(err.message);
  }
  return options;
}

/** The parts of cdk8s-cli's ValidationViolation the plugin fills in. */
export interface Violation {
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

  /** Refuses unknown properties and invalid values (see auditOptionsOfProperties), so synth fails before it audits. */
  constructor(props: SandboxAuditValidationProps = {}) {
    this.options = auditOptionsOfProperties(props);
  }

  /** Audits the synthesized manifests and submits the report (failure on any finding or input error). */
  public async validate(context: ValidationContextLike): Promise<void> {
    const result = await auditManifests(context.manifests, this.options);
    for (const violation of violationsOf(result.findings)) context.report.addViolation(violation);
    for (const problem of result.problems) {
      if (problem.severity === 'error') {
        context.report.addViolation({
          ruleName: 'input', recommendation: 'The synthesized manifests must be readable YAML, and the properties must leave something to audit', fix: problem.message,
          violatingResources: [{ resourceName: problem.file, locations: [`${problem.file}${problem.line !== undefined ? `:${problem.line}` : ''}: ${problem.message}`], manifestPath: problem.file }],
        });
      }
    }
    context.report.submit(result.exitCode === 0 ? 'success' : 'failure', {
      summary: summaryLine(result), objects: String(result.objects), findings: String(result.findings.length), version: toolVersion(),
    });
  }
}
