// The `audit` subcommand: checks any manifests (files, directories, standard input) against the
// sandbox hardening profile. Exit codes: 0 clean, 1 findings, 2 usage or input errors.
import { Command, Option } from 'commander';
import { AuditOptions, auditManifests, resolveAuditOptions } from '../audit/audit';
import { formatJson } from '../audit/report-json';
import { formatSarif } from '../audit/report-sarif';
import { formatText } from '../audit/report-text';

/** The report formats the command writes. */
export const AUDIT_FORMATS: readonly string[] = ['text', 'json', 'sarif'];

/** The options of the audit command, as commander parses them. */
export interface AuditCommandOptions {
  /**
   * Report format: text, json or sarif.
   * @default 'text'
   */
  readonly format?: string;
  /**
   * Audit only this namespace.
   * @default - every namespace
   */
  readonly namespace?: string;
  /**
   * Audit only pods that set a runtimeClassName.
   * @default false
   */
  readonly onlyRuntimeClass?: boolean;
  /**
   * The RuntimeClass sandboxed pods must name.
   * @default 'gvisor'
   */
  readonly runtimeClass?: string;
  /**
   * Rule ids to ignore for the whole run.
   * @default []
   */
  readonly ignoreRule?: readonly string[];
  /**
   * Fail (exit 2) on containers the audit cannot judge.
   * @default false
   */
  readonly strict?: boolean;
}

/** Where the command reads and writes (the process's streams, or test doubles). */
export interface AuditCommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly cwd: string;
}

/** Runs the audit for the command line and returns its exit code (0 clean, 1 findings, 2 usage or input errors). */
export async function runAuditCommand(paths: readonly string[], options: AuditCommandOptions, io: AuditCommandIo): Promise<number> {
  const format = options.format ?? 'text';
  if (!AUDIT_FORMATS.includes(format)) {
    io.stderr.write(`cdk8s-sandbox audit: unknown format ${JSON.stringify(format)}; use one of ${AUDIT_FORMATS.join(', ')}\n`);
    return 2;
  }
  if (paths.length === 0) {
    io.stderr.write('cdk8s-sandbox audit: name at least one file or directory, or - for standard input\n');
    return 2;
  }
  const auditOptions: AuditOptions = {
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.runtimeClass !== undefined ? { runtimeClassName: options.runtimeClass } : {}),
    onlyRuntimeClass: options.onlyRuntimeClass ?? false,
    ignoreRules: options.ignoreRule ?? [],
    strict: options.strict ?? false,
  };
  try {
    resolveAuditOptions(auditOptions);
  } catch (err: any) {
    io.stderr.write(`cdk8s-sandbox audit: ${err.message}\n`);
    return 2;
  }
  const result = await auditManifests(paths, { ...auditOptions, stdin: io.stdin });
  const report = format === 'json' ? formatJson(result) : format === 'sarif' ? formatSarif(result, { cwd: io.cwd }) : formatText(result);
  io.stdout.write(report);
  return result.exitCode;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Registers the `audit` subcommand. */
export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('Check Kubernetes manifests against the sandbox hardening profile (exit 0 clean, 1 findings, 2 usage or input errors).')
    .argument('[paths...]', 'files, directories (recursively: *.yaml, *.yml, *.json) or - for standard input')
    .addOption(new Option('-f, --format <format>', 'report format').choices([...AUDIT_FORMATS]).default('text'))
    .option('-n, --namespace <namespace>', 'audit only this namespace (objects that name none are taken to live in it)')
    .option('--only-runtime-class', 'audit only pods that set a runtimeClassName (and the ServiceAccounts they use)', false)
    .option('--runtime-class <name>', 'the RuntimeClass sandboxed pods must name', 'gvisor')
    .option('--ignore-rule <id>', 'ignore a rule for the whole run (repeatable)', collect, [])
    .option('--strict', 'fail (exit 2) on containers the audit cannot judge: those outside any pod template, in kinds it does not know', false)
    .addHelpText('after', [
      '',
      'Suppress a rule on one object with the annotation cdk8s-sandbox.io/suppress, one "rule-id: reason" per line.',
      '',
      'Examples:',
      '  cdk8s-sandbox audit dist/',
      '  kubectl get deploy,job,netpol -A -o yaml | cdk8s-sandbox audit -',
      '  cdk8s-sandbox audit --format sarif manifests/ > audit.sarif',
    ].join('\n'))
    .action(async (paths: string[], options: AuditCommandOptions) => {
      process.exitCode = await runAuditCommand(paths, options, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() });
    });
}
