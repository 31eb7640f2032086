import process from 'node:process';
import {runCommandLine} from './source/cli/main.js';

process.exitCode = await runCommandLine(process.argv.slice(2));
