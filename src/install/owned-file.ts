/**
 * One file Loom owns whole (command files, scripts, workflows) as init plans it: the action for it given
 * what is on disk and what the install manifest says Loom wrote before.
 */
import path from 'node:path';
import { sha256 } from './manifest.js';

/**
 * create/update/unchanged: the file is (or already was) Loom's version.
 * kept: the user changed the file since Loom wrote it (or wrote it themselves):
 *   it stays as it is and Loom's version goes beside it (`beside`).
 * skipped: not touched because it cannot be merged safely (CLAUDE.md with broken markers), or a workflow
 *   Loom no longer installs that the user changed; see `note`.
 * delete: a chunk of an older version in `.loom/scripts/lib/`, a folder that is Loom's alone, or a workflow
 *   Loom no longer installs, still as Loom wrote it.
 */
export type FileAction = 'create' | 'update' | 'unchanged' | 'kept' | 'skipped' | 'delete';

export interface PlannedFile {
  path: string;
  action: FileAction;
  content: string;
  mode?: number;
  /** Why it is written the way it is (merged, kept user text, …). */
  note?: string;
  /** `kept`: where Loom's new version is written instead (`<path>.loom-new`). */
  beside?: string;
  /** `--force` over a changed file: where the user's version is saved first (`<path>.loom-backup`). */
  backup?: string;
}

/** How `--json` of init and `loom actions` shows a planned file: the optional fields only when set; no note on an unchanged file. */
export function plannedFileJson(file: PlannedFile): {
  path: string;
  action: FileAction;
  beside?: string;
  backup?: string;
  note?: string;
} {
  return {
    path: file.path,
    action: file.action,
    ...(file.beside ? { beside: file.beside } : {}),
    ...(file.backup ? { backup: file.backup } : {}),
    ...(file.note && file.action !== 'unchanged' ? { note: file.note } : {}),
  };
}

export const NEW_SUFFIX = '.loom-new';
export const BACKUP_SUFFIX = '.loom-backup';

/**
 * The rule for one file init writes, given what is on disk (`current`): created when missing, unchanged when
 * equal; otherwise replaced when `replace` (merged or built files) or when it is still what Loom wrote
 * (`previousHash`, from the manifest); else, with `force`, replaced after a backup; else `kept`, and Loom's
 * version planned beside it as `<file>.loom-new`.
 */
export function planOwnedFile(
  relative: string,
  current: string | undefined,
  content: string,
  options: { previousHash?: string; force: boolean; replace?: boolean; mode?: number; note?: string },
): PlannedFile {
  const { previousHash, force, replace = false, ...rest } = options;
  const file: PlannedFile = { path: relative, content, action: 'unchanged', ...rest };
  if (current === undefined) {
    file.action = 'create';
    delete file.note; // notes say how an existing file was treated
  } else if (current !== content) {
    if (replace || previousHash === sha256(current)) file.action = 'update';
    else if (force) {
      file.action = 'update';
      file.backup = relative + BACKUP_SUFFIX;
      file.note = `your version saved as ${file.backup}`;
    } else {
      file.action = 'kept';
      file.beside = relative + NEW_SUFFIX;
      file.note = `you changed it; Loom's new version is beside it: ${path.posix.basename(file.beside)}`;
    }
  }
  return file;
}
