// Placeholder until the `audit` command lands (see its issue).
import { Command } from 'commander';

/** Registers the `audit` subcommand. */
export function registerAuditCommand(_program: Command): void {}
