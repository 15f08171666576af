#!/usr/bin/env node
// The `havip` command: the process's arguments, streams, environment and signals given to runCli.
import { processIo } from './io.js'
import { runCli } from './run.js'

void runCli(process.argv.slice(2), processIo()).then((code) => { process.exitCode = code })
