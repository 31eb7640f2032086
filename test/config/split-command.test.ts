import {describe, expect, test} from 'vitest';
import {splitCommand} from '../../source/config/split-command.js';

describe('splitCommand', () => {
	test.each([
		['python agents/risk.py', ['python', 'agents/risk.py']],
		['  node   a.js  --flag  ', ['node', 'a.js', '--flag']],
		[
			'python "my agent.py" --name \'two words\'',
			['python', 'my agent.py', '--name', 'two words'],
		],
		[String.raw`python my\ agent.py`, ['python', 'my agent.py']],
		[String.raw`echo "a \"quoted\" word"`, ['echo', 'a "quoted" word']],
		['echo ""', ['echo', '']],
		['', []],
	])('%j splits into words as a shell would', (command, argv) => {
		expect(splitCommand(command)).toEqual({argv});
	});

	test('variables are kept as written, never substituted', () => {
		expect(splitCommand('python $HOME/agent.py "$API_KEY"')).toEqual({
			argv: ['python', '$HOME/agent.py', '$API_KEY'],
		});
		expect(splitCommand("echo '$LITERAL'")).toEqual({
			argv: ['echo', '$LITERAL'],
		});
	});

	test('a glob is kept as its pattern, not expanded', () => {
		expect(splitCommand('ls *.json data/?.csv')).toEqual({
			argv: ['ls', '*.json', 'data/?.csv'],
		});
	});

	test('a comment ends the command', () => {
		expect(splitCommand('python agent.py # the risk agent')).toEqual({
			argv: ['python', 'agent.py'],
		});
	});

	test.each([
		['python a.py | tee log', '|'],
		['python a.py > out.txt', '>'],
		['python a.py < in.txt', '<'],
		['python a.py && rm -rf /', '&&'],
		['python a.py || true', '||'],
		['python a.py; rm -rf /', ';'],
		['python a.py &', '&'],
		['python a.py 2>&1', '>&'],
	])('the shell operator in %j is refused and named', (command, operator) => {
		expect(splitCommand(command)).toEqual({operator});
	});

	test('an operator inside quotes is just text', () => {
		expect(splitCommand('echo "a | b" \'c && d\'')).toEqual({
			argv: ['echo', 'a | b', 'c && d'],
		});
	});
});
