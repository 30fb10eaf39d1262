/**
 * `loom spawn N`: claim one issue ahead of the queue into a free shepherd slot and answer the SPAWN directive
 * the parent loop starts (DESIGN.md §5). Everything happens under the state lock, so a concurrent iteration
 * cannot hand the same slot to another issue; the claim itself is the GitHub protocol of src/claims/.
 */
import { claimContextOf, claimIssue } from '../claims/claim.js';
import type { LoomContext } from '../context.js';
import { claimedSlot, isBusy } from '../core/daemon-state.js';
import { type Directive, shepherdDirective } from '../core/directives.js';
import { slotIds } from '../core/planner.js';
import { slotCounts } from '../core/remote-slots.js';
import { LoomError } from '../errors.js';
import { assertCloneOwner } from './ownership.js';

/**
 * Claims `issue` for a free slot and records it in the state file.
 * Errors: DAEMON_OWNED (exit 9) when another daemon owns the clone and `daemonId` is not its id;
 * CLAIM_CONFLICT (exit 12) when the issue already has a shepherd or cannot be claimed; USAGE (exit 2) when
 * every slot is busy.
 */
export async function spawnIssue(ctx: LoomContext, issue: number, daemonId: string | undefined): Promise<Directive> {
  const config = await ctx.config();
  const repo = await ctx.repo();
  return ctx.store.withLock(async () => {
    const state = await ctx.store.read();
    assertCloneOwner(state, daemonId, config, ctx.now());
    if (Object.values(state.shepherds).some((s) => isBusy(s) && s.issue === issue)) {
      throw new LoomError('CLAIM_CONFLICT', `#${issue} already has a shepherd.`, { hint: 'See `loom status`.' });
    }
    // `/loom spawn N` starts a local shepherd: only local slots take it.
    const local = slotCounts(config).local;
    const slot = slotIds(local).find((id) => !isBusy(state.shepherds[id]));
    if (!slot)
      throw new LoomError('USAGE', `All ${local} local shepherd slots are busy.`, {
        hint: 'Wait for one to finish, or raise max_shepherds in .loom/config.json.',
      });
    const outcome = await claimIssue(claimContextOf(ctx, repo, state.daemon_id ?? 'spawn'), issue);
    if (!outcome.claimed)
      throw new LoomError('CLAIM_CONFLICT', `Cannot claim #${issue}: ${outcome.reason}.`, {
        hint: 'Only open loom:issue issues can be claimed.',
      });
    state.shepherds[slot] = claimedSlot(issue, ctx.now().toISOString());
    await ctx.store.write(state);
    return shepherdDirective(slot, issue, config);
  });
}
