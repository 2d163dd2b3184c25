/**
 * `.env`: the file `npm start` reads its environment from (Node's own parser, `process.loadEnvFile`), and where the
 * setup flow stores the registered app's credentials.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Sets `values` in the env file at `path`, keeping its other lines (comments included) and replacing earlier lines
 * of the same keys. Values are written double-quoted with newlines as `\n`, which Node's parser reads back as newlines.
 * The file is made readable by its owner only (it holds the private key). Throws for a value containing `"`.
 */
export function updateEnvFile(path: string, values: Record<string, string>): void {
  const keys = new Set(Object.keys(values));
  const kept = existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => !keys.has(/^\s*(?:export\s+)?([\w.-]+)\s*=/.exec(line)?.[1] ?? ''))
    : [];
  while (kept.length > 0 && kept[kept.length - 1]!.trim() === '') kept.pop();
  const added = Object.entries(values).map(([key, value]) => {
    if (value.includes('"')) throw new Error(`${key}: a value with a double quote cannot be written to ${path}`);
    return `${key}="${value.replace(/\r?\n/g, '\\n')}"`;
  });
  writeFileSync(path, `${[...kept, ...added].join('\n')}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
