#!/usr/bin/env node
/** Entry point of the `ocs3` command-line tool (package.json `bin`); see `ocs3 --help`. */
import { processIo } from './cli/process-io.js';
import { runCli } from './cli/run.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
