// `npm start`'s prestart: compiles TypeScript (tsc -p tsconfig.build.json) only when dist/ is missing or older than
// the sources, so that a built tree starts at once and `npm ci --omit=dev` (no TypeScript) can still `npm start`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import process from 'node:process';

const OUTPUTS = ['dist/src/server.js', 'dist/src/cli/main.js'];
const INPUT_DIRS = ['src', 'bench'];
const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json'];

/** Newest modification time (ms) of the TypeScript sources and the compiler configuration; 0 when there are none. */
function newestInput() {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else if (path.endsWith('.ts') || INPUT_FILES.includes(path)) newest = Math.max(newest, stat.mtimeMs);
  };
  for (const path of [...INPUT_DIRS, ...INPUT_FILES]) if (existsSync(path)) visit(path);
  return newest;
}

const missing = OUTPUTS.filter((path) => !existsSync(path));
const built = missing.length === 0 ? Math.min(...OUTPUTS.map((path) => statSync(path).mtimeMs)) : 0;
if (missing.length === 0 && built >= newestInput()) process.exit(0);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  process.stderr.write(
    `ai-review: dist/ is ${missing.length > 0 ? 'missing' : 'older than the sources'} and TypeScript is not installed ` +
      '(npm ci --omit=dev). Build first: npm ci && npm run build\n',
  );
  process.exit(1);
}
process.stderr.write(`ai-review: building dist/ (${missing.length > 0 ? 'missing' : 'sources changed'})\n`);
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
