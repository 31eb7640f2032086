import process from 'node:process';
import meow from 'meow';
import {flagSpec} from './source/cli/flags.js';
import {helpText} from './source/cli/help.js';
import {main} from './source/cli/main.js';

const cli = meow(helpText, {
	importMeta: import.meta,
	flags: flagSpec,
	allowUnknownFlags: false,
});

process.exitCode = await main(cli.input, cli.flags);
