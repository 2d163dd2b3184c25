/**
 * The core in one call, for the app and `ai-review simulate`: `(config, facts) → gate result + check-run content`.
 * Pure.
 */
import type { EffectiveConfig } from '../config/load.js';
import { evaluateGate } from './evaluate.js';
import { renderGateCheckRun, type CheckRunContent } from './summary.js';
import type { GateFacts, GateResult } from './types.js';

/**
 * Evaluates the gate for `facts` under `config` and renders the `ai-review` check run (conclusion, title, summary)
 * exactly as the app writes it on the PR's head SHA. (Invalid configs and unevaluable PRs are the caller's:
 * `renderConfigErrorCheckRun`, `renderCannotEvaluateCheckRun`.)
 */
export function gateCheckRun(config: EffectiveConfig, facts: GateFacts): { result: GateResult; checkRun: CheckRunContent } {
  const result = evaluateGate(config, facts);
  const checkRun = renderGateCheckRun(result, facts.authorship, facts.touchedGroups, {
    configOrigin: config.origin,
    mode: config.file.mode,
  });
  return { result, checkRun };
}
