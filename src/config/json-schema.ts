/**
 * JSON Schema of `.github/ai-review.yml`, generated from the zod schema (so editors can autocomplete the file).
 * The checked-in copy is `docs/ai-review.schema.json`; `npm run schema` rewrites it and a test keeps it current.
 */
import { z } from 'zod';
import { AiReviewConfigSchema } from './schema.js';

/** Returns the JSON Schema (draft 2020-12) of the config file, describing the input as a user writes it. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(AiReviewConfigSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://github.com/ai-review/ai-review/docs/ai-review.schema.json',
    title: 'ai-review configuration (.github/ai-review.yml)',
  };
}

/** The text written to `docs/ai-review.schema.json`. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
