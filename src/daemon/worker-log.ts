/**
 * Worker logs of `loom run` in `.loom/logs/`: one stream-json file per worker,
 * named `<slot>-<issue or role>-<UTC timestamp>.jsonl`
 * (e.g. `shepherd-2-123-20260101T120000Z.jsonl`, `guide-guide-20260101T120000Z.jsonl`),
 * rotated to the last `logs.keep` per slot. Names are built from validated
 * slot ids, issue numbers and role names only.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

const NAME = /^((?:shepherd-\d+)|[a-z]+)-(\d+|[a-z]+)-(\d{8}T\d{6}Z)(?:-(\d+))?\.jsonl$/;

export interface LogFile {
  file: string;
  name: string;
  slot: string;
  /** Issue number or role name. */
  subject: string;
  /** The start time in the name, `YYYYMMDDTHHMMSSZ` (sorts by time). */
  stamp: string;
}

const stampOf = (time: Date) =>
  time
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

export function parseLogName(dir: string, name: string): LogFile | null {
  const m = NAME.exec(name);
  if (!m) return null;
  return { file: path.join(dir, name), name, slot: m[1]!, subject: m[2]!, stamp: `${m[3]}${m[4] ? `-${m[4]}` : ''}` };
}

/** Every worker log in `dir`, oldest first. */
export async function listLogs(dir: string): Promise<LogFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => parseLogName(dir, n))
    .filter((l): l is LogFile => l !== null)
    .sort((a, b) => a.stamp.localeCompare(b.stamp) || a.name.localeCompare(b.name));
}

/** A new log path for a worker of `slot` working on `subject` (issue number or role), unique within the second. */
export async function newLogPath(dir: string, slot: string, subject: string | number, now: Date): Promise<string> {
  await mkdir(dir, { recursive: true });
  const existing = new Set((await listLogs(dir)).map((l) => l.name));
  const base = `${slot}-${subject}-${stampOf(now)}`;
  let name = `${base}.jsonl`;
  for (let i = 2; existing.has(name); i++) name = `${base}-${i}.jsonl`;
  return path.join(dir, name);
}

/** Deletes the oldest logs of `slot` beyond the newest `keep` (never one in `inUse`). */
export async function rotateLogs(
  dir: string,
  slot: string,
  keep: number,
  inUse: Set<string> = new Set(),
): Promise<number> {
  const mine = (await listLogs(dir)).filter((l) => l.slot === slot);
  const drop = mine.slice(0, Math.max(0, mine.length - keep)).filter((l) => !inUse.has(l.file));
  await Promise.all(drop.map((l) => rm(l.file, { force: true })));
  return drop.length;
}

/** The logs `loom logs <selector>` means: an issue number, a slot (`shepherd-2`) or a role name; oldest first. */
export async function logsFor(dir: string, selector: string): Promise<LogFile[]> {
  const all = await listLogs(dir);
  const issue = /^#?(\d+)$/.exec(selector)?.[1];
  if (issue) return all.filter((l) => l.subject === String(Number(issue)));
  return all.filter((l) => l.slot === selector || l.subject === selector);
}
