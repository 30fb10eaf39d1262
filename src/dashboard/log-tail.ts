/**
 * Tails one worker log for the dashboard's log pane: the readable lines of `loom logs`
 * (src/core/log-view.ts, tool calls one line each) of the file's last `backlogBytes`, then every new
 * line as the worker writes it. Polled (fs.watch misses writes on some file systems); a file that
 * shrank (rotated or rewritten) is read again from its start.
 */
import { open, stat } from 'node:fs/promises';
import { renderLogLine } from '../core/log-view.js';

export interface LogTail {
  stop(): void;
}

export interface TailOptions {
  /** How much of the end of the file the first batch shows (bytes). */
  backlogBytes?: number;
  /** Milliseconds between two looks at the file's size. */
  intervalMs?: number;
}

/** Calls `onLines` with the rendered lines (never empty), first the backlog, then new ones as they come. */
export function tailLog(file: string, onLines: (lines: string[]) => void, options: TailOptions = {}): LogTail {
  const backlog = options.backlogBytes ?? 64 * 1024;
  let offset = -1;
  let partial = '';
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const readMore = async () => {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      return; // not there (yet, or rotated away): keep looking
    }
    let skipFirst = false;
    if (offset < 0 || size < offset) {
      offset = Math.max(0, size - backlog);
      skipFirst = offset > 0; // the first line read from the middle of the file is cut
      partial = '';
    }
    if (size === offset) return;
    const handle = await open(file, 'r');
    let text: string;
    try {
      const buffer = Buffer.alloc(size - offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      offset += bytesRead;
      text = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    if (skipFirst) lines.shift();
    const views = lines.flatMap((line) => (line.trim() ? (renderLogLine(line)?.split('\n') ?? []) : []));
    if (views.length && !stopped) onLines(views);
  };
  const loop = async () => {
    try {
      await readMore();
    } catch {
      // an unreadable moment (permissions, a rename in between): try again on the next tick
    }
    if (!stopped) timer = setTimeout(loop, options.intervalMs ?? 1000);
  };
  void loop();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
