import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { buildProgram, COMMANDS, invokedCommand } from '../../src/cli/commands.ts';

test('every command module declares exactly the arguments the top-level help lists for it', async () => {
  for (const entry of COMMANDS) {
    const command = new Command(entry.name);
    (await entry.load()).configure(command);
    const declared = command.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`)).join(' ');
    assert.equal(declared, entry.args, `${entry.name}: arguments`);
    assert.ok(command.options.length > 0, `${entry.name} has options`);
  }
});

test('the invoked command is the first word that is not an option, or the word after help', () => {
  assert.equal(invokedCommand(['model', '--timeloop', 'x.yaml']), 'model');
  assert.equal(invokedCommand(['--help']), undefined);
  assert.equal(invokedCommand(['help', 'passes']), 'passes');
  assert.equal(invokedCommand(['-h', 'run', 'f.cascade']), 'run');
});

test('only the invoked command is loaded: the others are listed with their summary but have no options', async () => {
  const program = await buildProgram(['passes', 'attention-1pass']);
  const byName = new Map(program.commands.map((c) => [c.name(), c]));
  assert.deepEqual([...byName.keys()], COMMANDS.map((c) => c.name));
  assert.ok(byName.get('passes')!.options.some((o) => o.long === '--json'));
  assert.equal(byName.get('run')!.options.length, 0);
  assert.equal(byName.get('run')!.description(), COMMANDS.find((c) => c.name === 'run')!.summary);
});
