/**
 * The single writer of `.loom/daemon-state.json` (DESIGN.md §5.2): reads validate,
 * writes validate then atomically replace the file, and every read-modify-write
 * runs under an inter-process lock. A corrupt or newer-version file is never
 * overwritten: the error says what is wrong and how to recover.
 */

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type DaemonState, DaemonStateSchema, emptyState, STATE_VERSION } from '../core/daemon-state.js';
import { LoomError } from '../errors.js';
import type { Faults } from '../faults.js';
import { safeReadFile, safeWriteFile, UnsafePathError } from '../fs/safe-file.js';
import { withFileLock } from './lock.js';

/** A state lock not refreshed for this long is taken over (holder hung or on another host). */
const LOCK_STALE_MS = 20_000;

const recoverHint = (file: string) =>
  `Loom left the file untouched. Fix it by hand, or move it aside to start fresh: mv ${file} ${file}.bad`;

/** Parses and validates state file text; throws STATE_INVALID / STATE_NEWER_VERSION. */
export function parseState(text: string, file = '.loom/daemon-state.json'): DaemonState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // Only where it broke, never the text itself: the path may name any file, whose content is not ours to print.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new LoomError(
      'STATE_INVALID',
      `${file} is not valid JSON (${position ? `syntax error at byte ${position}` : text.trim() ? 'syntax error' : 'empty file'}).`,
      { hint: recoverHint(file) },
    );
  }
  if (
    raw &&
    typeof raw === 'object' &&
    'version' in raw &&
    typeof raw.version === 'number' &&
    raw.version > STATE_VERSION
  ) {
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
    throw new LoomError('STATE_INVALID', `${file} does not match the state schema: ${problems}.`, {
      hint: recoverHint(file),
    });
  }
  return result.data;
}

export interface StateStoreOptions {
  /** Milliseconds to keep retrying for the lock before giving up (default 30 s). */
  lockWaitMs?: number;
  /** The repository root no file of the store may leave (default: the folder above `.loom/`). */
  root?: string;
  /** Injected faults (tests; default none): `state-write` makes `write` fail as on a full disk. */
  faults?: Faults;
}

export class StateStore {
  constructor(
    readonly file: string,
    private readonly options: StateStoreOptions = {},
  ) {}

  /** The repository root: every file of the store stays inside it (src/fs/safe-file.ts). */
  get root(): string {
    return this.options.root ?? path.dirname(path.dirname(this.file));
  }

  /** The current state; a missing file is an empty state (nothing has run yet). A symlink or FIFO is refused (exit 8). */
  async read(): Promise<DaemonState> {
    let text: string | undefined;
    try {
      text = safeReadFile(this.root, this.file);
      if (text === undefined) return emptyState();
    } catch (error) {
      if (error instanceof UnsafePathError) throw error;
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
    await this.assertWritable();
    try {
      if (this.options.faults?.failing('state-write')) {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      safeWriteFile(this.root, this.file, `${JSON.stringify(valid.data, null, 2)}\n`, { atomic: true, fsync: true });
    } catch (error) {
      if (error instanceof UnsafePathError) throw error;
      throw new LoomError('STATE_WRITE_FAILED', `Cannot write ${this.relative()}: ${(error as Error).message}`, {
        hint: 'The previous state file is intact. Free disk space or fix permissions of .loom/, then run the command again.',
      });
    }
  }

  /**
   * Refuses (STATE_WRITE_FAILED) when the state file or `.loom/` has no write
   * permission bit at all. Checked on the mode bits, not with access(2), so a
   * file a user made read-only stays untouched even for root, whose writes
   * the kernel would allow. `withLock` checks it before its holder acts (on
   * GitHub too); `write` checks again.
   */
  async assertWritable(): Promise<void> {
    for (const [target, what] of [
      [this.file, 'file'],
      [path.dirname(this.file), 'folder'],
    ] as const) {
      let mode: number;
      try {
        mode = (await stat(target)).mode;
      } catch {
        continue; // missing: created on the first write
      }
      if ((mode & 0o222) === 0) {
        const shown = what === 'file' ? this.relative() : '.loom/';
        throw new LoomError(
          'STATE_WRITE_FAILED',
          `${shown} is read-only, so Loom cannot record what it does; nothing was changed.`,
          {
            hint: `Make it writable again (chmod u+w ${shown}) and run the command again.`,
          },
        );
      }
    }
  }

  /**
   * Runs `fn` while holding the state lock (other Loom processes wait, up to
   * `lockWaitMs`): src/state/lock.ts, taken over at once from a dead holder
   * of this host, else after LOCK_STALE_MS without a refresh.
   */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    // A symlink or special file in place of the state: refused before anything is locked.
    safeReadFile(this.root, this.file);
    return withFileLock(
      this.root,
      this.file,
      async () => {
        // Every lock holder writes the state: refuse before it acts (on GitHub too) when it could not record what it did.
        await this.assertWritable();
        return fn();
      },
      {
        waitMs: this.options.lockWaitMs ?? 30_000,
        staleMs: LOCK_STALE_MS,
        failedError: (error) =>
          new LoomError(
            'STATE_WRITE_FAILED',
            `Cannot take the state lock (${this.relative()}.lock): ${(error as Error).message}`,
            { hint: 'Check the permissions of .loom/ and the free disk space.', cause: error },
          ),
        lockedError: (owner, error) =>
          new LoomError(
            'LOCKED',
            `Another Loom process${owner ? ` (pid ${owner.pid} on ${owner.host})` : ''} holds the state lock (${this.relative()}.lock).`,
            {
              hint: `Wait for it to finish. If no Loom process is running, the lock frees itself within ${LOCK_STALE_MS / 1000} seconds.`,
              cause: error,
            },
          ),
      },
    );
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
