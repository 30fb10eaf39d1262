/** Loom's local GitHub API emulator: real `gh` talks to it over loopback. */

export {
  ActionsStore,
  type RunConclusion,
  type RunSchedule,
  type WorkflowRun,
  type WorkflowSpec,
} from './actions.js';
export { type Fault, FaultSchema } from './faults.js';
export { executeGraphQL, loadSchema } from './graphql.js';
export { parseSearchQuery, runSearch, type SearchFilter, search } from './search-query.js';
export { type ParsedSeed, parseSeed, type Seed, SeedSchema } from './seed.js';
export {
  EMULATOR_HOST,
  EMULATOR_TOKEN,
  type EmulatorHandle,
  type EmulatorOptions,
  type RequestLogEntry,
  startEmulator,
} from './server.js';
export { type Comment, type Issue, type Item, type Label, type PullRequest, Store, StoreError } from './store.js';
