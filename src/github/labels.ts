/**
 * Label sync (DESIGN.md §3.5): create missing labels; change the colour or
 * description of an existing label only when it still has the values Loom
 * gave it before (recorded in the install manifest) or with `force`, so a
 * repository's own choices for its labels stay; never delete a label. One
 * request to list, then one per label that actually changes.
 */
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { LoomError } from '../errors.js';
import type { GhClient } from './gh.js';
import type { Repo } from './repo.js';

export const LabelSpecSchema = z.object({
  name: z.string().min(1).max(50),
  color: z.string().regex(/^[0-9a-fA-F]{6}$/),
  description: z.string().max(100).default(''),
});
export type LabelSpec = z.infer<typeof LabelSpecSchema>;

/** Parses `.github/labels.yml` (a YAML list of {name, color, description}). */
export function parseLabelsYaml(text: string): LabelSpec[] {
  const parsed = z.array(LabelSpecSchema).safeParse(parseYaml(text));
  if (!parsed.success) {
    throw new LoomError(
      'CONFIG_INVALID',
      `labels.yml is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      {
        hint: 'Each entry needs name, a 6-digit hex color and an optional description.',
      },
    );
  }
  return parsed.data;
}

export interface LabelSyncResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  /** Existing labels whose colour/description differ from labels.yml and were left as they are. */
  kept: string[];
}

export interface LabelSyncOptions {
  dryRun?: boolean;
  /** Change differing labels even when their current values are not Loom's previous ones. */
  force?: boolean;
  /** Loom's previous values per label name (install manifest); a label that still has them may be changed. */
  previous?: Record<string, { color: string; description: string }>;
}

export async function syncLabels(
  gh: GhClient,
  repo: Repo,
  specs: LabelSpec[],
  options: LabelSyncOptions = {},
): Promise<LabelSyncResult> {
  const dryRun = options.dryRun ?? false;
  const existing = await gh.rest<{ name: string; color: string; description: string | null }[]>(
    'GET',
    `repos/${repo.owner}/${repo.name}/labels?per_page=100`,
  );
  const byName = new Map(existing.map((l) => [l.name.toLowerCase(), l]));
  const result: LabelSyncResult = { created: [], updated: [], unchanged: [], kept: [] };
  for (const spec of specs) {
    const current = byName.get(spec.name.toLowerCase());
    if (!current) {
      if (!dryRun) {
        const response = await gh.restRaw('POST', `repos/${repo.owner}/${repo.name}/labels`, spec);
        // 422 already_exists: created meanwhile (or beyond the first page): fall through to an update.
        if (response.status === 422)
          await gh.rest('PATCH', `repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(spec.name)}`, {
            color: spec.color,
            description: spec.description,
          });
        else if (response.status >= 400)
          throw new LoomError('GH_ERROR', `Creating label ${spec.name} failed (HTTP ${response.status}).`, {
            hint: 'Check that your token may edit labels.',
          });
      }
      result.created.push(spec.name);
    } else if (!sameValues(current, spec)) {
      const previous = options.previous?.[spec.name];
      if (!options.force && !(previous && sameValues(current, previous))) {
        result.kept.push(spec.name);
        continue;
      }
      if (!dryRun)
        await gh.rest('PATCH', `repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(spec.name)}`, {
          color: spec.color,
          description: spec.description,
        });
      result.updated.push(spec.name);
    } else {
      result.unchanged.push(spec.name);
    }
  }
  return result;
}

function sameValues(
  current: { color: string; description: string | null },
  spec: { color: string; description: string },
): boolean {
  return current.color.toLowerCase() === spec.color.toLowerCase() && (current.description ?? '') === spec.description;
}
