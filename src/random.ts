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
  // Any absolute path serves as the base for a built-in; this one exists in the ES module chunks, in the
  // CommonJS launcher and in tests alike (import.meta does not exist in the launcher).
  crypto ??= createRequire(process.execPath)('node:crypto') as typeof import('node:crypto');
  return crypto.randomBytes(bytes).toString('hex');
}
