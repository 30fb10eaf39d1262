/**
 * Every file Loom writes, creates or reads inside a repository goes through
 * here, so no write leaves the repository and no read hangs (issue 10):
 *
 * - the path must lie inside the repository root, and no folder between the
 *   root and the file may be a symbolic link (a committed `.loom -> ~` would
 *   otherwise carry every write out); the file itself is opened with
 *   O_NOFOLLOW, so a symlink in its place is refused, never followed;
 * - only regular files are read or written: a FIFO, socket or device in a
 *   Loom path is refused at once (opened with O_NONBLOCK, then checked with
 *   fstat, so even a FIFO without a writer cannot block).
 *
 * `followSymlinks` (for `loom init --follow-symlinks`) lets symlinks through
 * only when the real path they lead to is still inside the repository.
 * Synchronous on purpose: the callers run one at a time in a short CLI process.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { LoomError } from '../errors.js';
import { randomHex } from '../random.js';

/** Why a path was refused (exit 8, code UNSAFE_PATH); `rule` says which rule it broke, `file` names it. */
export class UnsafePathError extends LoomError {
  constructor(
    readonly file: string,
    readonly rule: 'OUTSIDE' | 'SYMLINK' | 'NOT_REGULAR',
    message: string,
  ) {
    super('UNSAFE_PATH', message, {
      hint: 'Loom left it untouched. Replace it with a regular file (or remove it) and run the command again.',
      details: { rule },
    });
  }
}

export interface SafeOptions {
  /** Let symlinks through when their real target is inside the root (`init --follow-symlinks`). */
  followSymlinks?: boolean;
}

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NONBLOCK = constants.O_NONBLOCK ?? 0;

const shown = (root: string, file: string) => path.relative(root, file) || '.';

function inside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

function lstatOrNull(file: string) {
  try {
    return lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Checks that `file` (absolute or relative to `root`) is inside `root` and
 * that no existing component below the root is a symlink (or, with
 * `followSymlinks`, that each one resolves inside the root). Returns the
 * absolute path. Missing components are fine: they are created later by
 * `safeMkdir`, which checks again.
 */
export function checkPath(root: string, file: string, options: SafeOptions = {}): string {
  const full = path.resolve(root, file);
  if (!inside(root, full))
    throw new UnsafePathError(full, 'OUTSIDE', `${full} is outside the repository; Loom does not write there.`);
  const realRoot = realpathSync(root);
  let current = root;
  for (const part of path.relative(root, full).split(path.sep).filter(Boolean)) {
    current = path.join(current, part);
    const info = lstatOrNull(current);
    if (!info) break;
    if (info.isSymbolicLink()) {
      const target = (() => {
        try {
          return realpathSync(current);
        } catch {
          return undefined; // dangling
        }
      })();
      if (!options.followSymlinks || !target || !inside(realRoot, target)) {
        throw new UnsafePathError(
          current,
          'SYMLINK',
          `${shown(root, current)} is a symbolic link${target && !inside(realRoot, target) ? ' leading out of the repository' : ''}; Loom does not write through it.`,
        );
      }
    } else if (current !== full && !info.isDirectory()) {
      break; // a file where a folder should be: the write fails with the system's own error
    }
  }
  return full;
}

/** Refuses anything but a regular file (FIFO, socket, device, folder); for writes also a hard-linked one. */
function assertRegular(root: string, file: string, fd: number, writing: boolean): void {
  const info = fstatSync(fd);
  if (writing && info.isFile() && info.nlink > 1) {
    closeSync(fd);
    throw new UnsafePathError(
      file,
      'NOT_REGULAR',
      `${shown(root, file)} has other hard links (it may be a file elsewhere); Loom does not write into it.`,
    );
  }
  if (!info.isFile()) {
    closeSync(fd);
    throw new UnsafePathError(
      file,
      'NOT_REGULAR',
      `${shown(root, file)} is not a regular file (${info.isFIFO() ? 'a FIFO' : info.isSocket() ? 'a socket' : info.isDirectory() ? 'a folder' : 'a device'}); Loom does not open it.`,
    );
  }
}

function openChecked(root: string, file: string, flags: number, mode: number, options: SafeOptions): number {
  const full = checkPath(root, file, options);
  let fd: number;
  try {
    fd = openSync(full, flags | NONBLOCK | (options.followSymlinks ? 0 : NOFOLLOW), mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK')
      throw new UnsafePathError(full, 'SYMLINK', `${shown(root, full)} is a symbolic link; Loom does not follow it.`);
    if (code === 'ENXIO')
      throw new UnsafePathError(
        full,
        'NOT_REGULAR',
        `${shown(root, full)} is not a regular file; Loom does not open it.`,
      );
    throw error;
  }
  assertRegular(root, full, fd, (flags & (constants.O_WRONLY | constants.O_RDWR)) !== 0);
  return fd;
}

/** The text of a regular file inside `root`; `undefined` when it does not exist. */
export function safeReadFile(root: string, file: string, options: SafeOptions = {}): string | undefined {
  let fd: number;
  try {
    fd = openChecked(root, file, constants.O_RDONLY, 0, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Creates the folder (and its parents) inside `root`, refusing symlinked components. */
export function safeMkdir(root: string, dir: string, options: SafeOptions = {}): void {
  const full = checkPath(root, dir, options);
  mkdirSync(full, { recursive: true });
  checkPath(root, dir, options); // a symlink planted while creating
}

export interface WriteOptions extends SafeOptions {
  mode?: number;
  /** Fail with EEXIST when the file exists (O_EXCL): a lock. */
  exclusive?: boolean;
  /** Write a temp file beside it and rename it over the target: readers see the old or the new file, never half. */
  atomic?: boolean;
  fsync?: boolean;
}

function writeAll(fd: number, content: string): void {
  const buffer = Buffer.from(content, 'utf8');
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}

/**
 * Writes `content` to `file` inside `root` without following a symlink in
 * its place and only into a regular file. Parent folders are created.
 */
export function safeWriteFile(root: string, file: string, content: string, options: WriteOptions = {}): void {
  const full = checkPath(root, file, options);
  safeMkdir(root, path.dirname(full), options);
  if (options.atomic) {
    // The target may not be a symlink or special file either: renaming over it would hide the refusal.
    const existing = lstatOrNull(full);
    if (existing?.isSymbolicLink() && !options.followSymlinks)
      throw new UnsafePathError(full, 'SYMLINK', `${shown(root, full)} is a symbolic link; Loom does not follow it.`);
    if (existing && !existing.isFile() && !existing.isSymbolicLink())
      throw new UnsafePathError(
        full,
        'NOT_REGULAR',
        `${shown(root, full)} is not a regular file; Loom does not open it.`,
      );
    const target = existing?.isSymbolicLink() ? realpathSync(full) : full;
    const temp = `${target}.${process.pid}.${randomHex(4)}.tmp`;
    const fd = openChecked(root, temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666, {});
    try {
      writeAll(fd, content);
      if (options.mode !== undefined) fchmodSync(fd, options.mode);
      if (options.fsync) fsyncSync(fd);
    } catch (error) {
      closeSync(fd);
      rmSync(temp, { force: true });
      throw error;
    }
    closeSync(fd);
    try {
      renameSync(temp, target);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    return;
  }
  // Truncated only once known to be a regular file of its own (O_TRUNC would act before the checks).
  const flags = constants.O_WRONLY | constants.O_CREAT | (options.exclusive ? constants.O_EXCL : 0);
  const fd = openChecked(root, full, flags, options.mode ?? 0o666, options);
  try {
    ftruncateSync(fd, 0);
    writeAll(fd, content);
    if (options.mode !== undefined) fchmodSync(fd, options.mode);
    if (options.fsync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
