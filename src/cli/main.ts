#!/usr/bin/env node
/**
 * `ai-review` command line: one program, one subcommand per module (`classify`, `report`, `backfill`).
 * Each subcommand module exports `register(program)`; this file only wires them together.
 */
import { Command } from 'commander';
import { register as registerClassify } from './classify.js';
import { register as registerReport } from './report.js';
import { register as registerBackfill } from './backfill.js';

const program = new Command();
program.name('ai-review').description('Review gates and review metrics for pull requests written by AI coding agents');

// Subcommands register themselves here:
registerClassify(program);
registerReport(program);
registerBackfill(program);
(await import('./validate.js')).register(program);
(await import('./simulate.js')).register(program);

await program.parseAsync(process.argv);
