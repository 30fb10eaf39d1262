/**
 * Scripted "models" that follow Loom's command files the way a model would,
 * reading the instructions from the expanded command text in each request
 * (so a changed command file changes, or breaks, what the script does).
 * They prove wiring — command expansion, permissions, the CLI, the Agent and
 * Skill tools, notifications — not model judgment.
 */
import type { ModelRequest, Reply, ReplyTool, Script, ToolResult } from './fake-model.js';

const BASH_TIMEOUT = 600_000;

/** The first backticked text in `body` matching `pattern` (anchored inside the backticks). */
export function quoted(body: string, pattern: RegExp, what: string): string {
  for (const match of body.matchAll(/`([^`\n]+)`/g)) if (pattern.test(match[1]!)) return match[1]!;
  throw new Error(`the expanded command text has no ${what} (looked for \`${pattern.source}\`)`);
}

const bash = (command: string, description: string, timeout?: number): ReplyTool => ({
  name: 'Bash',
  input: { command, description, ...(timeout ? { timeout } : {}) },
});

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

export interface Spawned {
  slot: string;
  skill: string;
  args: string;
  /** The Agent tool's `model` the SPAWN line named (`model=<m>`), if any. */
  model?: string;
  agentId: string;
  outputFile: string;
}

export interface ParentTrace {
  /** The form chosen from the command arguments. */
  form: 'status' | 'stop' | 'iterate' | 'loop';
  daemonId: string | null;
  /** Answers of `loom iterate` (with or without --wait), in order. */
  iterateOutputs: string[];
  spawned: Spawned[];
  /** Task notifications the parent received (mid-turn or as new turns). */
  notifications: string[];
  finished: boolean;
}

export interface ParentOptions {
  /** Called with each `loom iterate` answer before the model replies; may change the world (add issues, create the stop file). */
  onIterate?: (output: string, trace: ParentTrace) => void | Promise<void>;
  /** Called for each request that carries task notifications. */
  onNotifications?: (notifications: string[], trace: ParentTrace) => void | Promise<void>;
}

/**
 * The `/loom` parent, per defaults/.claude/commands/loom.md: pick the form from
 * `<command-args>`, run the CLI with Bash, start each `SPAWN` line with a
 * background Agent whose prompt comes from the command file's template, then
 * `loom record` with the launch result's agentId and output_file.
 */
export function loomParent(options: ParentOptions = {}): { script: Script; trace: ParentTrace } {
  const trace: ParentTrace = {
    form: 'loop',
    daemonId: null,
    iterateOutputs: [],
    spawned: [],
    notifications: [],
    finished: false,
  };
  let body = '';
  type Line = { slot: string; skill: string; args: string; model?: string };
  let queue: Line[] = [];
  let launching: Line | null = null;
  let summary = '';

  const agentFor = (line: Line): Reply => {
    const template = quoted(body, /^Use the Skill tool to run the "<skill>" skill/, 'Agent prompt template');
    const prompt = template.replaceAll('<skill>', line.skill).replaceAll('<args>', line.args);
    for (const needed of ['run_in_background: true', 'subagent_type: "general-purpose"']) {
      if (!body.includes(needed)) throw new Error(`the expanded /loom text no longer says ${needed}`);
    }
    launching = line;
    return {
      tools: [
        {
          name: 'Agent',
          input: {
            description: `${line.slot} ${line.skill} ${line.args}`,
            prompt,
            subagent_type: 'general-purpose',
            run_in_background: true,
            ...(line.model ? { model: line.model } : {}),
          },
        },
      ],
    };
  };
  const waitCall = (): Reply => {
    const command = quoted(
      body,
      /^\.loom\/scripts\/loom iterate --daemon ID --wait$/,
      'iterate --wait command',
    ).replace('ID', trace.daemonId ?? 'ID');
    if (!body.includes('Bash timeout of 600000 ms'))
      throw new Error('the expanded /loom text no longer names the 600000 ms Bash timeout');
    return { tools: [bash(command, 'loom iterate', BASH_TIMEOUT)] };
  };
  /** After an iteration's answer or a record: the next SPAWN line, or what the form does next. */
  const next = (): Reply => {
    const line = queue.shift();
    if (line) return agentFor(line);
    if (trace.form === 'loop') return waitCall();
    trace.finished = true;
    return { text: summary };
  };

  const script: Script = async (r: ModelRequest) => {
    if (r.notifications.length) {
      trace.notifications.push(...r.notifications);
      await options.onNotifications?.(r.notifications, trace);
    }
    if (!r.calls.length && r.newTurn) {
      if (r.command?.name !== '/loom') throw new Error(`expected the /loom command, got ${JSON.stringify(r.command)}`);
      body = r.firstUserText;
      if (!body.includes(`Arguments: \`${r.command.args}\``))
        throw new Error('$ARGUMENTS was not substituted in the expanded /loom text');
      const args = r.command.args.trim();
      if (args === 'status') {
        trace.form = 'status';
        return { tools: [bash(quoted(body, /^\.loom\/scripts\/loom status$/, 'status command'), 'loom status')] };
      }
      if (args === 'stop') {
        trace.form = 'stop';
        return { tools: [bash(quoted(body, /^\.loom\/scripts\/loom stop$/, 'stop command'), 'loom stop')] };
      }
      if (args.startsWith('iterate')) {
        trace.form = 'iterate';
        return { tools: [bash(quoted(body, /^\.loom\/scripts\/loom iterate$/, 'iterate command'), 'loom iterate')] };
      }
      trace.form = 'loop';
      return { tools: [bash(quoted(body, /^\.loom\/scripts\/loom start$/, 'start command'), 'loom start')] };
    }
    // A completion notice after the turn ended: do not summarise it.
    if (r.newTurn) return { text: 'ok' };
    const result = r.toolResults.at(-1);
    if (!result) throw new Error('parent request without a tool result or a new turn');
    if (result.isError) throw new Error(`${result.call.name} failed: ${result.text.slice(0, 300)}`);
    if (result.call.name === 'Agent') {
      const agentId = /agentId: (\S+)/.exec(result.text)?.[1];
      const outputFile = /output_file: (\S+)/.exec(result.text)?.[1];
      if (!agentId || !outputFile || !launching)
        throw new Error(`no agentId/output_file in the launch result: ${result.text.slice(0, 300)}`);
      const line = launching;
      launching = null;
      trace.spawned.push({ ...line, agentId, outputFile });
      const template = quoted(body, /^\.loom\/scripts\/loom record <slot>/, 'record command');
      const command = template
        .replace('<slot>', line.slot)
        .replace('<agentId>', agentId)
        .replace('<output_file>', outputFile);
      return { tools: [bash(command, `record ${line.slot}`)] };
    }
    if (result.call.name !== 'Bash') throw new Error(`unexpected tool result from ${result.call.name}`);
    const command = String(result.call.input.command);
    const out = result.text;
    if (/ start( --force)?$/.test(command)) {
      trace.daemonId = lastLine(out);
      return waitCall();
    }
    if (/ iterate\b/.test(command)) {
      trace.iterateOutputs.push(out);
      await options.onIterate?.(out, trace);
      if (lastLine(out) === 'SHUTDOWN_SIGNAL') {
        const shutdown = quoted(body, /^\.loom\/scripts\/loom shutdown --daemon ID$/, 'shutdown command').replace(
          'ID',
          trace.daemonId ?? 'ID',
        );
        return { tools: [bash(shutdown, 'loom shutdown', BASH_TIMEOUT)] };
      }
      summary = lastLine(out);
      queue = out
        .split('\n')
        .filter((l) => l.startsWith('SPAWN '))
        .map((l) => {
          const [, slot, ...words] = l.trim().split(/\s+/);
          // `model=<m>` after the slot: the Agent tool's model, as loom.md says (only when the line has it).
          const model = words[0]?.startsWith('model=') ? words.shift()!.slice('model='.length) : undefined;
          if (model && !body.includes('`model: "<model>"` only when the line has `model=<model>`'))
            throw new Error("the expanded /loom text no longer says how to pass a SPAWN line's model");
          const [skill, ...rest] = words;
          return { slot: slot!, skill: skill!, args: rest.join(' '), ...(model ? { model } : {}) };
        });
      return next();
    }
    if (/ record /.test(command)) return next();
    // status, stop, shutdown: show the output (stop and shutdown print one line).
    trace.finished = true;
    return { text: trace.form === 'status' ? out : lastLine(out) };
  };
  return { script, trace };
}

export interface RoleRun {
  skill: string;
  args: string;
  /** The Agent prompt (first user text of the subagent's conversation). */
  prompt: string;
  /** Text the Skill tool added to the conversation (the expanded command file). */
  expansion: string;
  finalLine: string | null;
}

export interface RoleOptions {
  /** The next tool call after the Skill expansion, given the results of the earlier ones; null when done. */
  next?: (run: RoleRun, outputs: ToolResult[]) => ReplyTool | null;
  /** Called before the final line is sent (e.g. to close the issue on the emulator, as a merge would). */
  onFinish?: (run: RoleRun) => void | Promise<void>;
  finalLine?: (run: RoleRun) => string;
}

/**
 * A minimal background role subagent: runs the Skill tool exactly as its Agent
 * prompt says, then the given steps, then ends with one line.
 */
export function roleSubagent(options: RoleOptions = {}): { script: Script; runs: Map<string, RoleRun> } {
  const runs = new Map<string, RoleRun>();
  const script: Script = async (r) => {
    let run = runs.get(r.conversation);
    if (!run) {
      const match = /Skill \{skill: "([^"]+)", args: "([^"]*)"\}/.exec(r.firstUserText);
      if (!match) throw new Error(`subagent prompt names no Skill call: ${r.firstUserText.slice(0, 200)}`);
      run = { skill: match[1]!, args: match[2]!, prompt: r.firstUserText, expansion: '', finalLine: null };
      runs.set(r.conversation, run);
    }
    if (!r.calls.length) return { tools: [{ name: 'Skill', input: { skill: run.skill, args: run.args } }] };
    const result = r.toolResults.at(-1);
    if (result?.isError)
      throw new Error(`${result.call.name} failed in the ${run.skill} subagent: ${result.text.slice(0, 300)}`);
    if (result?.call.name === 'Skill') run.expansion = r.lastText;
    const step = options.next?.(run, r.results.slice(1));
    if (step) return { tools: [step] };
    await options.onFinish?.(run);
    run.finalLine =
      options.finalLine?.(run) ?? `${run.skill} #${run.args.split(' ')[0]}: stopped (scripted test subagent)`;
    return { text: run.finalLine };
  };
  return { script, runs };
}

/** Routes main-conversation requests to one script and subagent requests to another. */
export function route(main: Script, subagent: Script): Script {
  return (r) => (r.subagent ? subagent(r) : main(r));
}

export interface ShepherdTrace {
  issue: number;
  /** Each answer of `loom shepherd-phase`, in order (the phase, then the model when it names one). */
  phases: string[];
  pr: number | null;
  /** Roles run in foreground subagents, with the one line each answered. */
  roles: { role: string; args: string; line: string; model?: string }[];
  finalLine: string | null;
}

type Tag =
  | 'phase'
  | 'pr-then-act'
  | 'gate1'
  | 'heartbeat'
  | 'agent'
  | 'pr-after-builder'
  | 'checkpoint'
  | 'merged'
  | 'exit';

/**
 * `/shepherd N [--force-pr | --force-merge]` as the main conversation, per
 * defaults/.claude/commands/shepherd.md: loop on `loom shepherd-phase`, run each
 * role in a foreground Agent whose prompt is the command file's template, pass
 * the gates with the CLI helpers it names, and exit at the first target.
 * Only the happy path: an unexpected answer fails the script (and the test).
 */
export function shepherdMain(): { script: Script; trace: ShepherdTrace } {
  const trace: ShepherdTrace = { issue: 0, phases: [], pr: null, roles: [], finalLine: null };
  let body = '';
  let mode: 'force-merge' | 'force-pr' | 'wait' = 'wait';
  let tag: Tag = 'phase';
  let role: { role: string; args: string } | null = null;
  let phase = '';
  let phaseModel: string | undefined;

  const cmd = (pattern: RegExp, what: string) => quoted(body, pattern, what);
  /** A role's args as the shepherd file writes them (`N --shepherded` for the builder, say). */
  const argsFor = (roleName: string, letter: string, n: number | null) => {
    for (const written of [`${letter} --shepherded`, letter])
      if (body.includes(`run the role \`${roleName}\` with args \`${written}\``))
        return written.replace(letter, String(n));
    throw new Error(`shepherd.md no longer says how to run ${roleName}`);
  };
  const fill = (text: string) => text.replace(/\bN\b/g, String(trace.issue)).replace(/\bM\b/g, String(trace.pr ?? 'M'));
  const withPr = (command: string) => (trace.pr !== null ? `${command} --pr ${trace.pr}` : command);
  const call = (next: Tag, command: string, description: string): Reply => {
    tag = next;
    return { tools: [bash(command, description)] };
  };
  // Each loop turn starts with shepherd-phase, which also answers `stopped` while .loom/stop-shepherds exists.
  const stopCheck = () =>
    call('phase', fill(cmd(/^\.loom\/scripts\/loom shepherd-phase N$/, 'shepherd-phase command')), 'next phase');
  const runRole = (name: string, args: string): Reply => {
    role = { role: name, args };
    const heartbeat = cmd(/^\.loom\/scripts\/loom progress N --phase R$/, 'heartbeat command').replace(
      '--phase R',
      `--phase ${name}`,
    );
    return call('heartbeat', withPr(fill(heartbeat)), 'heartbeat');
  };
  const act = (): Reply => {
    switch (phase) {
      case 'curator':
        return runRole('curator', String(trace.issue));
      case 'builder':
        return call(
          'gate1',
          `${fill(cmd(/^\.loom\/scripts\/loom gate N --shepherded$/, 'gate 1 command'))}${mode === 'wait' ? '' : ' --force'}`,
          'gate 1',
        );
      case 'judge':
        return runRole('judge', argsFor('judge', 'M', trace.pr));
      case 'merge':
        if (mode === 'force-merge')
          return call('merged', fill(cmd(/^\.loom\/scripts\/loom merge M --force$/, 'gate 2 merge command')), 'merge');
        if (mode !== 'force-pr')
          throw new Error(`the scripted shepherd only knows gate 2 with a force flag, not ${mode}`);
        trace.finalLine = fill(cmd(/^shepherd #N: PR #M approved \(loom:pr\)$/, 'gate 2 line'));
        return call(
          'exit',
          withPr(
            fill(cmd(/^\.loom\/scripts\/loom progress N --phase P --done$/, 'Reached progress command')).replace(
              '--phase P',
              '--phase merge',
            ),
          ),
          'report',
        );
      case 'done':
        // Finished: the PR merged (M is known from the loop).
        trace.finalLine = fill(cmd(/^shepherd #N: merged PR #M$/, 'Finished line'));
        return call(
          'exit',
          fill(cmd(/^\.loom\/scripts\/loom progress N --phase done --pr M --done$/, 'Finished progress command')),
          'report',
        );
      default:
        throw new Error(`the scripted shepherd does not handle phase ${phase}`);
    }
  };

  const script: Script = (r: ModelRequest) => {
    if (!r.calls.length) {
      if (r.command?.name !== '/shepherd')
        throw new Error(`expected the /shepherd command, got ${JSON.stringify(r.command)}`);
      body = r.firstUserText;
      if (!body.includes(`Arguments: \`${r.command.args}\``))
        throw new Error('$ARGUMENTS was not substituted in the expanded /shepherd text');
      trace.issue = Number(/\d+/.exec(r.command.args)?.[0]);
      mode = r.command.args.includes('--force-merge')
        ? 'force-merge'
        : r.command.args.includes('--force-pr')
          ? 'force-pr'
          : 'wait';
      return stopCheck();
    }
    if (r.newTurn) throw new Error('unexpected new turn in the shepherd conversation');
    const result = r.toolResults.at(-1);
    if (!result) throw new Error('shepherd request without a tool result');
    const out = result.text.trim();
    if (result.isError) throw new Error(`${tag}: ${result.call.name} failed: ${result.text.slice(0, 400)}`);
    switch (tag) {
      case 'phase':
        trace.phases.push(out);
        [phase = '', phaseModel] = out.split(/\s+/);
        if (phaseModel && !body.includes('`model: "MODEL"` only when you kept a'))
          throw new Error("the expanded /shepherd text no longer says how to pass the phase answer's model");
        if (trace.pr === null && ['judge', 'doctor', 'merge'].includes(phase))
          return call('pr-then-act', fill(cmd(/^\.loom\/scripts\/loom pr-for N$/, 'pr-for command')), 'find PR');
        return act();
      case 'pr-then-act':
        trace.pr = Number(out);
        return act();
      case 'gate1':
        if (out !== 'go') throw new Error(`the scripted shepherd expected gate 1 to answer go, got ${out}`);
        return runRole('builder', argsFor('builder', 'N', trace.issue));
      case 'heartbeat': {
        const current = role!;
        const template = cmd(/^Use the Skill tool: Skill \{skill: "R", args: "A"\}/, 'role Agent prompt template');
        const description = /^description: "(.*)"$/.exec(cmd(/^description: "R #N"$/, 'role Agent description'))![1]!;
        if (!body.includes('in the foreground (no `run_in_background`)'))
          throw new Error('the expanded /shepherd text no longer runs roles in the foreground');
        tag = 'agent';
        return {
          tools: [
            {
              name: 'Agent',
              input: {
                description: fill(description.replace('R', current.role)),
                prompt: template.replace('"R"', `"${current.role}"`).replace('"A"', `"${current.args}"`),
                subagent_type: 'general-purpose',
                ...(phaseModel ? { model: phaseModel } : {}),
              },
            },
          ],
        };
      }
      case 'agent': {
        const current = role!;
        // The foreground result is the subagent's final message, then Claude Code's agentId/usage trailer.
        const line = out.split('\n')[0]!;
        trace.roles.push({ ...current, line, ...(phaseModel ? { model: phaseModel } : {}) });
        if (/failed|blocked|refused/.test(line)) return stopCheck();
        if (current.role === 'builder')
          return call('pr-after-builder', fill(cmd(/^\.loom\/scripts\/loom pr-for N$/, 'pr-for command')), 'find PR');
        return call(
          'checkpoint',
          withPr(
            fill(cmd(/^\.loom\/scripts\/loom checkpoint N --phase R$/, 'checkpoint command')).replace(
              '--phase R',
              `--phase ${current.role}`,
            ),
          ),
          'checkpoint',
        );
      }
      case 'pr-after-builder':
        trace.pr = Number(out);
        return call(
          'checkpoint',
          withPr(
            fill(cmd(/^\.loom\/scripts\/loom checkpoint N --phase R$/, 'checkpoint command')).replace(
              '--phase R',
              '--phase builder',
            ),
          ),
          'checkpoint',
        );
      case 'merged':
        return call(
          'checkpoint',
          fill(cmd(/^\.loom\/scripts\/loom checkpoint N --phase merge --pr M$/, 'merge checkpoint command')),
          'checkpoint',
        );
      case 'checkpoint':
        return stopCheck();
      case 'exit':
        return { text: trace.finalLine ?? '' };
    }
    throw new Error(`unhandled state ${tag}`);
  };
  return { script, trace };
}
