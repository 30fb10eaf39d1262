/** Loom's local GitHub API emulator: real `gh` talks to it over loopback. */
export { startEmulator, EMULATOR_TOKEN, EMULATOR_HOST, type EmulatorHandle, type EmulatorOptions, type RequestLogEntry } from './server.js';
export { SeedSchema, parseSeed, type Seed, type ParsedSeed } from './seed.js';
export { Store, StoreError, type Issue, type PullRequest, type Item, type Label, type Comment } from './store.js';
export { FaultSchema, type Fault } from './faults.js';
export { parseSearchQuery, runSearch, search, type SearchFilter } from './search-query.js';
export { loadSchema, executeGraphQL } from './graphql.js';
