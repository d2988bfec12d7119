// Every operation of the served model has a handler or an explicit not-implemented entry, and the
// README's compatibility table says the same thing as the code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadServiceModel } from '../../src/api/protocol/index.js';
import { OPERATIONS } from '../../src/api/handlers/index.js';

const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');

function readmeStatus(operation: string): string | undefined {
  const row = readme.split('\n').find((line) => line.startsWith(`| ${operation} |`));
  return row?.split('|')[2]?.trim();
}

test('the operation table covers exactly the operations of the model', () => {
  const model = loadServiceModel();
  assert.deepEqual(Object.keys(OPERATIONS).sort(), model.operationNames().sort());
});

test('the README compatibility table matches the operation table', () => {
  for (const [name, entry] of Object.entries(OPERATIONS)) {
    const status = readmeStatus(name);
    assert.ok(status, `README has no compatibility row for ${name}`);
    if (typeof entry === 'function') assert.notEqual(status, 'not yet', `${name} is implemented but README says "not yet"`);
    else assert.equal(status, 'not yet', `${name} is not implemented but README says "${status}"`);
  }
});
