/** The version of ai-review: `version` of the nearest `package.json` named `ai-review` above this module. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * Output: the package version, e.g. `0.1.0`, read once. Works from the sources (`src/`) and from the build
 * (`dist/src/`), whose package.json is two or three folders up. Throws when no such package.json is found.
 */
export function appVersion(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ai-review' && pkg.version) return (cached = pkg.version);
    }
    dir = dirname(dir);
  }
  throw new Error('package.json of ai-review not found');
}
