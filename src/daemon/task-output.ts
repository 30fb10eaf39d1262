/**
 * Reads what a background task's output file says about it: when it last
 * wrote (mtime), whether it ended, how (result, crash, usage-limit refusal)
 * and what it cost. Two formats: a `/loom` subagent's transcript, and a
 * `loom run` worker's stream-json log (src/core/worker-output.ts).
 * Only the last 64 KiB are read: outputs grow large and this runs every poll.
 */
import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { TaskObservation } from '../core/planner.js';
import { readTranscriptUsage, type TranscriptUsage, transcriptResult } from '../core/transcript-cost.js';
import { diedWithoutResult, readWorkerOutput, refusedByLimit, type WorkerResult } from '../core/worker-output.js';

const TAIL_BYTES = 64 * 1024;

export async function readTail(file: string, bytes = TAIL_BYTES): Promise<{ text: string; mtime: Date } | null> {
  try {
    const info = await stat(file);
    // A FIFO or device named as the output file would block the read (and the whole iteration): not a transcript.
    if (!info.isFile()) return null;
    const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const length = Math.min(bytes, info.size);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, info.size - length);
      return { text: buffer.toString('utf8'), mtime: info.mtime };
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

/** `pauseAt`: the utilization (0–1) at which a limit signal counts (config `usage.pause_at`). */
export async function observeTask(outputFile: string | null, pauseAt = 0.95): Promise<TaskObservation> {
  if (!outputFile) return { ended: false, lastOutputAt: null };
  const tail = await readTail(outputFile);
  if (!tail) return { ended: false, lastOutputAt: null };
  const output = readWorkerOutput(tail.text, pauseAt);
  const refused = refusedByLimit(output);
  // A `/loom` subagent's transcript that ended has no result line: its tokens and cost come from its entries.
  const transcriptEnded = output.turnEnded && output.result === null && output.exit === null && !refused;
  return {
    ended: output.result !== null || output.exit !== null || output.turnEnded || refused,
    lastOutputAt: tail.mtime.toISOString(),
    limit: output.limit,
    refused,
    failed: !refused && (diedWithoutResult(output) || output.result?.isError === true),
    result: transcriptEnded ? await transcriptCost(outputFile) : output.result,
  };
}

/** A transcript (and its subagents') read whole once, at its end: at most this many bytes each. */
const TRANSCRIPT_BYTES = 32 * 1024 * 1024;
/** Subagent transcripts followed per task (nested ones included). */
const MAX_TRANSCRIPTS = 50;

/**
 * The tokens and estimated cost of an ended subagent (src/core/transcript-cost.ts): its transcript
 * (the output file is a symlink to it) plus those of the subagents it started, which lie beside it as
 * `agent-<id>.jsonl`. A file that cannot be read counts nothing.
 */
async function transcriptCost(outputFile: string): Promise<WorkerResult | null> {
  const first = await realpath(outputFile).catch(() => null);
  if (!first) return null;
  const dir = path.dirname(first);
  const read: TranscriptUsage[] = [];
  const queue = [first];
  const seen = new Set(queue);
  while (queue.length && read.length < MAX_TRANSCRIPTS) {
    const tail = await readTail(queue.shift()!, TRANSCRIPT_BYTES);
    if (!tail) continue;
    const usage = readTranscriptUsage(tail.text);
    read.push(usage);
    for (const id of usage.agentIds) {
      const file = path.join(dir, `agent-${id}.jsonl`);
      if (seen.has(file)) continue;
      seen.add(file);
      queue.push(file);
    }
  }
  return read.length ? transcriptResult(read) : null;
}
