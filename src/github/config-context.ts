/**
 * A Probot Context for reading the configuration outside a webhook: Probot's `context.config` reads the default
 * branch and follows `_extends`. Only `repository.owner.login` and `repository.name` are set in its payload.
 */
import type { Logger } from 'pino';
import { Context } from 'probot';
import type { Octokit, RepoRef } from './facts.js';

/** Input: an installation Octokit (Probot's, with its config plugin), the repository, a logger. */
export function configContext(octokit: Octokit, ref: RepoRef, log: Logger): Context {
  const payload = { repository: { owner: { login: ref.owner }, name: ref.repo } };
  return new Context({ id: 'job', name: 'push', payload } as never, octokit, log);
}
