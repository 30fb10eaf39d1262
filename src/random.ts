/**
 * Random hex strings for unique temporary file names, lock owners and claim tokens.
 *
 * node:crypto is loaded with `require` on first use instead of an `import`: an ES module import of a node
 * built-in evaluates every export of it, and node:crypto's `webcrypto` getter then loads the whole Web Crypto
 * implementation — several milliseconds on every `loom status`, which never writes a file or takes a lock.
 */
import { createRequire } from 'node:module';

let crypto: typeof import('node:crypto') | undefined;

/** `bytes` random bytes as lower-case hex (2 × bytes characters). */
export function randomHex(bytes: number): string {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return crypto.randomBytes(bytes).toString('hex');
}
