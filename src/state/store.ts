/**
 * The single writer of `.loom/daemon-state.json` (SPEC §5): reads validate,
 * writes validate then atomically replace the file, and every read-modify-write
 * runs under an inter-process lock. A corrupt or newer-version file is never
 * overwritten: the error says what is wrong and how to recover.
 */
import { readFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import lockfile from 'proper-lockfile';
import { LoomError } from '../errors.js';
import { DaemonStateSchema, STATE_VERSION, emptyState, type DaemonState } from './schema.js';

const recoverHint = (file: string) =>
  `Loom left the file untouched. Fix it by hand, or move it aside to start fresh: mv ${file} ${file}.bad`;

/** Parses and validates state file text; throws STATE_INVALID / STATE_NEWER_VERSION. */
export function parseState(text: string, file = '.loom/daemon-state.json'): DaemonState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new LoomError('STATE_INVALID', `${file} is not valid JSON (${(error as Error).message}).`, { hint: recoverHint(file) });
  }
  if (raw && typeof raw === 'object' && 'version' in raw && typeof raw.version === 'number' && raw.version > STATE_VERSION) {
    throw new LoomError(
      'STATE_NEWER_VERSION',
      `${file} was written by a newer Loom (state version ${raw.version}; this Loom knows ${STATE_VERSION}).`,
      { hint: 'Upgrade Loom (`loom init .` from the newer release) instead of running this older one.' },
    );
  }
  const result = DaemonStateSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new LoomError('STATE_INVALID', `${file} does not match the state schema: ${problems}.`, { hint: recoverHint(file) });
  }
  return result.data;
}

export interface StateStoreOptions {
  /** Milliseconds to keep retrying for the lock before giving up (default 30 s). */
  lockWaitMs?: number;
}

export class StateStore {
  constructor(
    readonly file: string,
    private readonly options: StateStoreOptions = {},
  ) {}

  /** The current state; a missing file is an empty state (nothing has run yet). */
  async read(): Promise<DaemonState> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
      throw new LoomError('STATE_INVALID', `Cannot read ${this.file}: ${(error as Error).message}`, {
        hint: 'Check the file permissions of .loom/.',
      });
    }
    return parseState(text, this.relative());
  }

  /** Validates and atomically replaces the file (temp file + rename: a failed write keeps the old file). */
  async write(state: DaemonState): Promise<void> {
    const valid = DaemonStateSchema.safeParse(state);
    if (!valid.success) {
      // A bug in Loom, not user input: refuse rather than persist a bad state.
      throw new Error(`refusing to write an invalid state: ${valid.error.message}`);
    }
    try {
      await writeFileAtomic(this.file, `${JSON.stringify(valid.data, null, 2)}\n`, { fsync: true });
    } catch (error) {
      throw new LoomError('STATE_WRITE_FAILED', `Cannot write ${this.relative()}: ${(error as Error).message}`, {
        hint: 'The previous state file is intact. Free disk space or fix permissions of .loom/, then run the command again.',
      });
    }
  }

  /** Runs `fn` while holding the state lock (other Loom processes wait, up to `lockWaitMs`). */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const waitMs = this.options.lockWaitMs ?? 30_000;
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(this.file, {
        realpath: false,
        stale: 20_000,
        update: 5_000,
        retries: { retries: Math.max(1, Math.ceil(waitMs / 200)), factor: 1, minTimeout: 100, maxTimeout: 200 },
      });
    } catch (error) {
      throw new LoomError('LOCKED', `Another Loom process holds the state lock (${this.relative()}.lock).`, {
        hint: 'Wait for it to finish. If no Loom process is running, the lock frees itself within 20 seconds.',
        cause: error,
      });
    }
    try {
      return await fn();
    } finally {
      await release().catch(() => undefined);
    }
  }

  /** Read-modify-write under the lock; `fn` returns the new state (or the same object, mutated). */
  async update(fn: (state: DaemonState) => DaemonState | Promise<DaemonState>): Promise<DaemonState> {
    return this.withLock(async () => {
      const next = await fn(await this.read());
      await this.write(next);
      return next;
    });
  }

  private relative(): string {
    return path.join('.loom', path.basename(this.file));
  }
}
