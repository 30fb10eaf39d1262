/**
 * The install manifest, `.loom/install-manifest.json`: what `loom init` wrote
 * (path → sha256 of the content it wrote), the Loom version that wrote it and
 * the label values it shipped. It is how a later init tells a file the user
 * changed (kept; the new version goes beside it) from one still as Loom left
 * it (replaced), how label sync tells Loom's old label values from the user's,
 * and what `loom uninstall` removes.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import * as z from 'zod';
import { LoomError } from '../errors.js';
import { safeReadFile } from '../fs/safe-file.js';

export const MANIFEST_PATH = '.loom/install-manifest.json';

const LabelValues = z.object({ color: z.string(), description: z.string() });

export const ManifestSchema = z.object({
  manifest_version: z.literal(1),
  loom_version: z.string(),
  /** Relative path (POSIX separators) → sha256 (hex) of the content init wrote. */
  files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
  /** Loom's own labels as it last shipped them: name → values. */
  labels: z.record(z.string(), LabelValues).default({}),
  /** The build id of the Loom that wrote it (src/version.ts); absent in manifests of older installs. */
  loom_build: z.string().optional(),
  /**
   * The `permissions.allow` rules of .claude/settings.json that are Loom's (added by init, not the user's):
   * what an upgrade may drop when Loom no longer ships one and what `loom uninstall` removes. Absent: an older install.
   */
  settings_allow: z.array(z.string()).optional(),
  /** The `env` keys of .claude/settings.json that are Loom's (added by init, not the user's). Absent: an older install. */
  settings_env: z.array(z.string()).optional(),
  /** The .gitignore lines init added (its header and entries the user did not have). Absent: an older install. */
  gitignore_lines: z.array(z.string()).optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;
export type LabelValues = z.infer<typeof LabelValues>;

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Reads the manifest of `target`; undefined when there is none (an install older than manifests, or none). */
export async function readManifest(target: string): Promise<Manifest | undefined> {
  // Through the safe reader: a symlink or FIFO in its place is refused (exit 8), never followed or opened.
  const text = safeReadFile(target, path.join(target, MANIFEST_PATH));
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success)
    throw new LoomError('STATE_INVALID', `${MANIFEST_PATH} is not a valid install manifest.`, {
      hint: 'Delete it and run `loom init` again: files you changed are then kept and the new versions written beside them as *.loom-new.',
    });
  return parsed.data;
}

export function renderManifest(manifest: Manifest): string {
  const sorted = (record: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
  return `${JSON.stringify({ ...manifest, files: sorted(manifest.files), labels: sorted(manifest.labels) }, null, 2)}\n`;
}
