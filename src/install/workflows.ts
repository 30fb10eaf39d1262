/**
 * The GitHub Actions workflows as installed files (`loom actions install|uninstall`, `loom init --actions`,
 * `loom upgrade`): generated from the config (src/core/workflows.ts) and written under the same rules as
 * every other file Loom owns (planOwnedFile): a workflow the user changed is kept and Loom's version goes
 * beside it as `.loom-new`; the manifest records each one Loom wrote, which is how later runs know the
 * workflows are installed (and refresh them) and what uninstall may remove.
 */
import type { Config } from '../core/config.js';
import {
  DAEMON_WORKFLOW,
  generateWorkflows,
  WORKFLOW_DIR,
  WORKFLOW_NAMES,
  type WorkflowChoice,
} from '../core/workflows.js';
import { type Manifest, sha256 } from './manifest.js';
import { NEW_SUFFIX, type PlannedFile, planOwnedFile } from './owned-file.js';

const pathOf = (name: string) => `${WORKFLOW_DIR}/${name}`;

/** The workflow names the manifest lists as Loom's. */
export function installedWorkflows(manifest: Manifest | undefined): Set<string> {
  return new Set(WORKFLOW_NAMES.filter((name) => manifest?.files[pathOf(name)] !== undefined));
}

/**
 * Which workflows Loom keeps after a run that asked for `requested` (undefined: asked for nothing, as a
 * plain `init` or `upgrade`): those already installed stay installed (so an upgrade refreshes them), the
 * daemon's only when asked for or already there. Null: no workflows at all.
 */
export function wantedWorkflows(manifest: Manifest | undefined, requested?: WorkflowChoice): WorkflowChoice | null {
  const installed = installedWorkflows(manifest);
  if (!requested && !installed.size) return null;
  return { daemon: Boolean(requested?.daemon) || installed.has(DAEMON_WORKFLOW) };
}

export interface WorkflowPlanInput {
  config: Config;
  manifest: Manifest | undefined;
  /** The workflows Loom should own afterwards; null: none (every one it installed goes). */
  want: WorkflowChoice | null;
  force: boolean;
  /** Reads a file of the repository (through the safe reader); undefined when it does not exist. */
  read: (relative: string) => string | undefined;
}

export interface WorkflowPlan {
  planned: PlannedFile[];
  /** Manifest entries after this plan: path → hash, for each workflow Loom owns. */
  recorded: Record<string, string>;
}

/**
 * What to write and remove under `.github/workflows/`. A workflow Loom no longer generates (uninstalled, or
 * the support roles all disabled) is deleted while it is as Loom wrote it; one the user changed is left in
 * place (`skipped`, with a note) and is no longer Loom's. A `.loom-new` Loom wrote beside it goes too.
 */
export function planWorkflows(input: WorkflowPlanInput): WorkflowPlan {
  const planned: PlannedFile[] = [];
  const recorded: Record<string, string> = {};
  const previous = input.manifest?.files ?? {};
  const generated = input.want ? generateWorkflows(input.config, input.want) : {};
  for (const [relative, text] of Object.entries(generated)) {
    const file = planOwnedFile(relative, input.read(relative), text, {
      previousHash: previous[relative],
      force: input.force,
    });
    if (file.action !== 'kept') recorded[relative] = sha256(text);
    else if (previous[relative]) recorded[relative] = previous[relative];
    planned.push(file);
  }
  for (const name of WORKFLOW_NAMES) {
    const relative = pathOf(name);
    if (Object.hasOwn(generated, relative) || previous[relative] === undefined) continue;
    const current = input.read(relative);
    if (current !== undefined && sha256(current) === previous[relative])
      planned.push({ path: relative, action: 'delete', content: '', note: 'no longer installed' });
    else if (current !== undefined)
      planned.push({
        path: relative,
        action: 'skipped',
        content: current,
        note: 'you changed it, so it stays (it is yours now; delete it if you no longer want it)',
      });
    if (input.read(relative + NEW_SUFFIX) !== undefined)
      planned.push({ path: relative + NEW_SUFFIX, action: 'delete', content: '', note: "Loom's version" });
  }
  return { planned, recorded };
}

/** The manifest's files after a workflow plan: every other entry as it was, the workflows as `recorded`. */
export function withWorkflowEntries(files: Record<string, string>, recorded: Record<string, string>) {
  const rest = Object.entries(files).filter(([relative]) => !WORKFLOW_NAMES.some((name) => pathOf(name) === relative));
  return Object.fromEntries([...rest, ...Object.entries(recorded)]);
}
