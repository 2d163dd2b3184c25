/** Where ai-review is installed and which version it is: the nearest `package.json` named `ai-review` above this module. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let found: { root: string; version: string } | undefined;

function locate(): { root: string; version: string } {
  if (found) return found;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ai-review' && pkg.version) return (found = { root: dir, version: pkg.version });
    }
    dir = dirname(dir);
  }
  throw new Error('package.json of ai-review not found');
}

/**
 * Output: the package version, e.g. `0.1.0`, read once. Works from the sources (`src/`) and from the build
 * (`dist/src/`). Throws when no such package.json is found.
 */
export function appVersion(): string {
  return locate().version;
}

/** The folder of ai-review's package.json (the repository, or /app in the image), where app.yml also lives. */
export function packageRoot(): string {
  return locate().root;
}
