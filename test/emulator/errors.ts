/** Errors carrying a GitHub GraphQL error `type` (NOT_FOUND, UNPROCESSABLE, ...). */
import { StoreError } from './store.js';

export class EmuGraphQLError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'EmuGraphQLError';
  }
}

/** GitHub GraphQL error `type` for an error thrown by a resolver, if any. */
export function errorType(error: unknown): string | undefined {
  if (error instanceof EmuGraphQLError) return error.type;
  if (error instanceof StoreError) return error.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'UNPROCESSABLE';
  return undefined;
}
