/**
 * Reads what a background task's output file says about it: when it last
 * wrote (mtime) and whether its transcript ends with a finished assistant turn.
 * Only the last 64 KiB are read: transcripts grow large and this runs every poll.
 */
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { TaskObservation } from '../core/planner.js';

const TAIL_BYTES = 64 * 1024;

export async function observeTask(outputFile: string | null): Promise<TaskObservation> {
  if (!outputFile) return { ended: false, lastOutputAt: null };
  try {
    const info = await stat(outputFile);
    // A FIFO or device named as the output file would block the read (and the whole iteration): not a transcript.
    if (!info.isFile()) return { ended: false, lastOutputAt: null };
    const handle = await open(outputFile, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const length = Math.min(TAIL_BYTES, info.size);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, info.size - length);
      return { ended: transcriptEnded(buffer.toString('utf8')), lastOutputAt: info.mtime.toISOString() };
    } finally {
      await handle.close();
    }
  } catch {
    return { ended: false, lastOutputAt: null };
  }
}

/** True when the last complete JSONL entry is an assistant message that ended its turn. */
export function transcriptEnded(tail: string): boolean {
  const lines = tail
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    let entry: { type?: string; message?: { stop_reason?: string | null; role?: string } };
    try {
      entry = JSON.parse(lines[i]!);
    } catch {
      continue; // a partial first line of the tail, or a line being written
    }
    if (entry.type === 'assistant' || entry.message?.role === 'assistant')
      return entry.message?.stop_reason === 'end_turn';
    if (entry.type === 'user') return false;
  }
  return false;
}
