// Placeholder until the `run` command lands (see its issue).
import { Command } from 'commander';

/** Registers the `run` subcommand. */
export function registerRunCommand(_program: Command): void {}
