/**
 * Reads what a background task's output file says about it: when it last
 * wrote (mtime), whether it ended, how (result, crash, usage-limit refusal)
 * and what it cost. Two formats: a `/loom` subagent's transcript, and a
 * `loom run` worker's stream-json log (src/core/worker-output.ts).
 * Only the last 64 KiB are read: outputs grow large and this runs every poll.
 */
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { TaskObservation } from '../core/planner.js';
import { diedWithoutResult, readWorkerOutput, refusedByLimit } from '../core/worker-output.js';

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
  return {
    ended: output.result !== null || output.exit !== null || output.turnEnded || refused,
    lastOutputAt: tail.mtime.toISOString(),
    limit: output.limit,
    refused,
    failed: !refused && (diedWithoutResult(output) || output.result?.isError === true),
    result: output.result,
  };
}
