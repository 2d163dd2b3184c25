/** docs/authorship.md names the source of every catalog identity, as the catalog does. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUILTIN_AGENTS } from '../../src/authorship/catalog.js';

const doc = readFileSync(fileURLToPath(new URL('../../docs/authorship.md', import.meta.url)), 'utf8');

test('every source line of every built-in agent is in docs/authorship.md (regenerate the sources block if not)', () => {
  const block = doc.slice(doc.indexOf('<!-- sources:begin'), doc.indexOf('<!-- sources:end -->'));
  const missing = BUILTIN_AGENTS.flatMap((e) =>
    e.sources.filter((s) => !block.includes(`- ${s}`)).map((s) => `${e.name}: ${s.slice(0, 60)}`),
  );
  expect(missing).toEqual([]);
});
