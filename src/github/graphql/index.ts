/**
 * One round trip per evaluation: the facts of a pull request from one GraphQL query (see load.ts), for the app's
 * evaluation job and any other caller typed against {@link FactsOctokit}.
 */
export { addUsage, emptyUsage, GraphqlFactsError, type ApiUsage, type FactsOctokit } from './client.js';
export {
  completePullRequestFacts,
  loadPullRequestFacts,
  type CannotEvaluateMarker,
  type ConfigFiles,
  type ExistingCheckRun,
  type LoadOptions,
  type LoadResult,
  type PullRequestFacts,
  type RepositoryFile,
} from './load.js';
