/** `npm run schema`: writes docs/ai-review.schema.json from the zod schema. */
import { writeFileSync } from 'node:fs';
import { configJsonSchemaText } from './json-schema.js';

writeFileSync(new URL('../../../docs/ai-review.schema.json', import.meta.url), configJsonSchemaText());
console.log('wrote docs/ai-review.schema.json');
