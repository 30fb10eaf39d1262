/**
 * Context growth of a conversation, from the fake model's request log: how many
 * bytes each step added to `messages` (DESIGN.md §4.2 context budget).
 */
import type { ApiMessage, RecordedRequest } from './fake-model.js';

export type StepKind =
  | 'start'
  | 'iterate-idle'
  | 'iterate-spawn'
  | 'iterate-shutdown'
  | 'spawn'
  | 'record'
  | 'shutdown'
  | 'new-turn'
  | 'other';

export interface GrowthStep {
  seq: number;
  kind: StepKind;
  /** Bytes of `messages` added since the conversation's previous request. */
  delta: number;
  /** Of those, the task notices (`[SYSTEM NOTIFICATION …]` preamble + `<task-notification>` block, as JSON text). */
  notificationBytes: number;
  /** Of those, other injected `role: "system"` text (Claude Code's reminders, e.g. about its task tools). */
  reminderBytes: number;
  /** The rest: the tool call and its result (delta − notices − reminders). */
  callBytes: number;
}

const NOTICE = /(\[SYSTEM NOTIFICATION[^\]]*\][^<]*)?<task-notification>[\s\S]*?<\/task-notification>\n*/g;

/** Bytes a piece of text takes inside the messages JSON (escapes included, quotes excluded). */
const jsonBytes = (text: string) => Buffer.byteLength(JSON.stringify(text)) - 2;

function textOf(message: ApiMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('');
}

function kindOf(request: RecordedRequest): StepKind {
  if (request.newTurn) return 'new-turn';
  const result = request.toolResults.at(-1);
  if (!result) return 'other';
  if (result.call.name === 'Agent') return 'spawn';
  const command = String(result.call.input.command ?? '');
  if (/ start( --force)?$/.test(command)) return 'start';
  if (/ record /.test(command)) return 'record';
  if (/ shutdown /.test(command)) return 'shutdown';
  if (/ iterate\b/.test(command)) {
    if (result.text.trim().endsWith('SHUTDOWN_SIGNAL')) return 'iterate-shutdown';
    return /^SPAWN /m.test(result.text) ? 'iterate-spawn' : 'iterate-idle';
  }
  return 'other';
}

export function growthSteps(requests: RecordedRequest[]): GrowthStep[] {
  const steps: GrowthStep[] = [];
  for (let i = 1; i < requests.length; i++) {
    const prev = requests[i - 1]!;
    const cur = requests[i]!;
    const added = cur.body.messages.slice(prev.body.messages.length);
    let notificationBytes = 0;
    let reminderBytes = 0;
    for (const message of added) {
      const text = textOf(message);
      const notices = text.match(NOTICE) ?? [];
      const noticeBytes = notices.reduce((sum, notice) => sum + jsonBytes(notice), 0);
      notificationBytes += noticeBytes;
      if (message.role !== 'system') continue;
      // A system message: the rest of its text is a reminder; its JSON envelope goes with the notices when it has nothing else.
      const rest = Buffer.byteLength(JSON.stringify(message)) + 1 - noticeBytes;
      if (notices.length && !text.replace(NOTICE, '').trim()) notificationBytes += rest;
      else reminderBytes += rest;
    }
    const delta = cur.messagesBytes - prev.messagesBytes;
    steps.push({
      seq: cur.seq,
      kind: kindOf(cur),
      delta,
      notificationBytes,
      reminderBytes,
      callBytes: delta - notificationBytes - reminderBytes,
    });
  }
  return steps;
}

export interface GrowthFigures {
  /** Largest and mean bytes one Bash call of the loop (start, iterate, record, shutdown) added. */
  loopCallMaxBytes: number;
  loopCallMeanBytes: number;
  /** Mean bytes an idle `iterate --wait` call added (reminders injected meanwhile included), and per idle hour at the given wait budget. */
  idleCallBytes: number;
  waitBudgetSeconds: number;
  idleHourBytes: number;
  /** (spawn + record calls + completion notices) / issues processed. */
  issues: number;
  perIssueBytes: number;
  spawnBytes: number[];
  recordBytes: number[];
  /** Bytes of each notice (a step carrying two notices counts as one entry). */
  notificationBytes: number[];
  /** Reminders Claude Code injected, wherever they fell. */
  reminderBytes: number[];
  steps: GrowthStep[];
}

const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : 0);

export function growthFigures(requests: RecordedRequest[], issues: number, waitBudgetSeconds = 540): GrowthFigures {
  const steps = growthSteps(requests);
  const loopCalls = steps
    .filter((s) =>
      ['start', 'iterate-idle', 'iterate-spawn', 'iterate-shutdown', 'record', 'shutdown'].includes(s.kind),
    )
    .map((s) => s.callBytes);
  const idle = steps.filter((s) => s.kind === 'iterate-idle').map((s) => s.callBytes + s.reminderBytes);
  const spawnBytes = steps.filter((s) => s.kind === 'spawn').map((s) => s.callBytes);
  const recordBytes = steps.filter((s) => s.kind === 'record').map((s) => s.callBytes);
  const notificationBytes = steps.filter((s) => s.notificationBytes > 0).map((s) => s.notificationBytes);
  const reminderBytes = steps.filter((s) => s.reminderBytes > 0).map((s) => s.reminderBytes);
  const idleCallBytes = mean(idle);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    loopCallMaxBytes: Math.max(0, ...loopCalls),
    loopCallMeanBytes: mean(loopCalls),
    idleCallBytes,
    waitBudgetSeconds,
    idleHourBytes: Math.round((idleCallBytes * 3600) / waitBudgetSeconds),
    issues,
    perIssueBytes: issues ? Math.round((sum(spawnBytes) + sum(recordBytes) + sum(notificationBytes)) / issues) : 0,
    spawnBytes,
    recordBytes,
    notificationBytes,
    reminderBytes,
    steps,
  };
}
