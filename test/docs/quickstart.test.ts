/**
 * docs/quickstart.md stays true: every shell command names what runs it (CI, a test, or GitHub/Docker that CI does not
 * have) and what it names exists; every `.github/ai-review.yml` in it is valid; the ruleset requires this app's check.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseConfigText } from '../../src/config/load.js';
import { CHECK_NAME } from '../../src/gate/summary.js';

const text = readFileSync('docs/quickstart.md', 'utf8');
const blocks = [...text.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, body: m[2]! }));

describe('docs/quickstart.md', () => {
  it('has shell, YAML and JSON blocks', () => {
    expect(blocks.map((b) => b.lang)).toEqual(expect.arrayContaining(['sh', 'yaml', 'json']));
  });

  const commands = blocks
    .filter((b) => b.lang === 'sh')
    .flatMap((b) => b.body.split('\n'))
    .filter((line) => line.trim() !== '');

  it.each(commands)('%s', (line) => {
    const match = /^(.*?)\s+# (ci|test): (\S+)$|^(.*?)\s+# needs (GitHub|Docker)\b/.exec(line);
    expect(match).not.toBeNull();
    if (match![2] === 'ci') {
      expect(readFileSync(match![3]!, 'utf8')).toContain(match![1]!.trim());
    } else if (match![2] === 'test') {
      expect(existsSync(match![3]!)).toBe(true);
    }
  });

  it('every .github/ai-review.yml in it is a valid configuration, and the last one enforces a rule', () => {
    const configs = blocks.filter((b) => b.lang === 'yaml' && b.body.startsWith('# .github/ai-review.yml'));
    expect(configs.length).toBeGreaterThanOrEqual(2);
    const results = configs.map((b) => parseConfigText(b.body, 'docs/quickstart.md'));
    for (const result of results) expect(result).toMatchObject({ ok: true });
    const last = results.at(-1)!;
    expect(last.ok && last.config.mode).toBe('advisory');
    expect(last.ok && last.config.rules?.map((r) => r.mode)).toEqual(['enforce']);
  });

  it('the ruleset requires the check this app posts, from this app', () => {
    const ruleset = JSON.parse(blocks.find((b) => b.lang === 'json')!.body) as {
      target: string;
      rules: Array<{ type: string; parameters: { required_status_checks: Array<{ context: string; integration_id: number }> } }>;
    };
    expect(ruleset.target).toBe('branch');
    const checks = ruleset.rules.find((r) => r.type === 'required_status_checks')!.parameters.required_status_checks;
    expect(checks).toEqual([{ context: CHECK_NAME, integration_id: expect.any(Number) as unknown }]);
  });
});
