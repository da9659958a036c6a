#!/usr/bin/env node
// The `cdk8s-sandbox` command: audit manifests, harden them in place, run a workload under gVisor, render a submission.
import { Command } from 'commander';
import { registerAuditCommand } from './audit-command';
import { registerHardenCommand } from './harden-command';
import { registerRunCommand } from './run-command';

/** Builds the command-line program (exported for tests). */
export function createProgram(): Command {
  const program = new Command('cdk8s-sandbox')
    .description('Hardened gVisor sandboxes for Kubernetes: audit manifests, harden them in place, run workloads locally under gVisor.')
    .exitOverride()
    .showHelpAfterError();
  registerAuditCommand(program);
  registerHardenCommand(program);
  registerRunCommand(program);
  return program;
}

if (require.main === module) {
  createProgram().parseAsync(process.argv).catch((err: any) => {
    // commander reports usage errors itself; exit 2 for them, as for any input error.
    if (err?.code === 'commander.helpDisplayed' || err?.code === 'commander.version') process.exit(0);
    if (!err?.code?.startsWith?.('commander.')) process.stderr.write(`cdk8s-sandbox: ${err?.message ?? err}\n`);
    process.exit(typeof err?.exitCode === 'number' && err.exitCode !== 1 ? err.exitCode : 2);
  });
}
