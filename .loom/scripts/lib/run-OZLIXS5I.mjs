import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
import{newLogPath,rotateLogs}from"./chunk-KVXWJESQ.mjs";import{runIteration,transientFailureResult}from"./chunk-M2BP5UDB.mjs";import"./chunk-IEDTOGGW.mjs";import{processAlive,recordTask,removeRunLock,shutdownDaemon,startDaemon,writeRunLock}from"./chunk-7WBKZ3W5.mjs";import"./chunk-C5B3QMJ6.mjs";import"./chunk-YCUW624H.mjs";import{LOOM_EXIT_TYPE}from"./chunk-BNWWNHDT.mjs";import"./chunk-GP3TAMXH.mjs";import"./chunk-CRE5Y67O.mjs";import"./chunk-GFCLS3B5.mjs";import"./chunk-7I4IW3ZI.mjs";import{waitForStopFile}from"./chunk-MDFUS3U7.mjs";import"./chunk-BYSVNUUT.mjs";import"./chunk-ZCOG5NE2.mjs";import"./chunk-PFYZKSSF.mjs";import"./chunk-X4VUHTWP.mjs";import"./chunk-HW2SKFAT.mjs";import"./chunk-JHWPBUQH.mjs";import{_enum,array,boolean,discriminatedUnion,literal,number,object,string}from"./chunk-P5UGXIYW.mjs";import{context,parseOptions,readEnv,systemClock}from"./chunk-7HKHIR4W.mjs";import{ExitCode,LoomError,exitCodeHelp,isTransient}from"./chunk-UVKLLUV6.mjs";import"./chunk-U6YAQNCA.mjs";import path2 from"node:path";var xml=text=>text.replaceAll("&","&amp;").replaceAll("<","&lt;").replaceAll(">","&gt;").replaceAll('"',"&quot;"),sd=text=>{let escaped=text.replaceAll("\\","\\\\").replaceAll("%","%%").replaceAll('"','\\"');return/\s/.test(escaped)?`"${escaped}"`:escaped};function systemdUnit(u){return`# ~/.config/systemd/user/loom-${u.name}.service \u2014 then:
#   systemctl --user daemon-reload && systemctl --user enable --now loom-${u.name}
#   loginctl enable-linger "$USER"      # keep it running while you are logged out
#   journalctl --user -u loom-${u.name} -f
[Unit]
Description=Loom daemon (loom run) for ${u.root}
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
WorkingDirectory=${sd(u.root)}
ExecStart=${sd(u.node)} ${sd(u.script)} run
Environment=${sd(`PATH=${u.path}`)}
# SIGTERM to loom run only: it stops claiming, lets workers reach a safe point, then exits.
KillMode=mixed
KillSignal=SIGTERM
TimeoutStopSec=${u.drainSeconds+60}
Restart=on-failure
RestartSec=30
# 9 another daemon owns the clone, 10 invalid config, 13 Loom not installed: a restart cannot help.
RestartPreventExitStatus=9 10 13

[Install]
WantedBy=default.target
`}function launchdPlist(u){let label=`dev.loom.${u.name}`;return`<?xml version="1.0" encoding="UTF-8"?>
<!-- ~/Library/LaunchAgents/${xml(label)}.plist \u2014 then:
     launchctl bootstrap gui/$(id -u) ~/Library/LaunchAgents/${xml(label)}.plist
     launchctl kickstart -k gui/$(id -u)/${xml(label)}       (restart)
     launchctl bootout gui/$(id -u)/${xml(label)}            (stop: SIGTERM, drain, exit) -->
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>${xml(label)}</string>
  <key>ProgramArguments</key>
  <array>
    <string>${xml(u.node)}</string>
    <string>${xml(u.script)}</string>
    <string>run</string>
  </array>
  <key>WorkingDirectory</key><string>${xml(u.root)}</string>
  <key>EnvironmentVariables</key>
  <dict><key>PATH</key><string>${xml(u.path)}</string></dict>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
  <key>ThrottleInterval</key><integer>30</integer>
  <key>ExitTimeOut</key><integer>${u.drainSeconds+60}</integer>
  <key>StandardOutPath</key><string>${xml(`${u.root}/.loom/logs/loom-run.out.log`)}</string>
  <key>StandardErrorPath</key><string>${xml(`${u.root}/.loom/logs/loom-run.err.log`)}</string>
</dict>
</plist>
`}import{accessSync,constants,existsSync}from"node:fs";import{appendFile,writeFile}from"node:fs/promises";import path from"node:path";import{spawn}from"node:child_process";import{appendFileSync,closeSync,openSync}from"node:fs";function workerArgs(spec){return["-p",`/${spec.skill}${spec.args?` ${spec.args}`:""}`,"--output-format","stream-json","--verbose",...spec.model?["--model",spec.model]:[]]}function startWorker(spec){let fd=openSync(spec.logFile,"a");return new Promise((resolve,reject)=>{let child=spawn(spec.command,workerArgs(spec),{cwd:spec.cwd,env:spec.env,stdio:["ignore",fd,fd],detached:!0}),done=!1,exited=new Promise(settle=>{child.once("exit",(code,signal)=>{done=!0;try{appendFileSync(spec.logFile,`
${JSON.stringify({type:LOOM_EXIT_TYPE,code,signal,time:(spec.now??systemClock.now)().toISOString()})}
`)}catch{}settle({code,signal})})});child.once("error",error=>{closeSync(fd),reject(error)}),child.once("spawn",()=>{closeSync(fd);let signalGroup=signal=>{try{process.kill(-child.pid,signal)}catch{}};resolve({pid:child.pid,logFile:spec.logFile,exited,get done(){return done},kill(graceMs=1e4){if(done)return;signalGroup("SIGTERM");let timer=setTimeout(()=>{done||signalGroup("SIGKILL")},graceMs);timer.unref(),exited.then(()=>clearTimeout(timer))}})})})}function claudeCommand(env,config){return readEnv("LOOM_CLAUDE",env)??config.claude.command??"claude"}function assertRunnable(command,env){let candidates=command.includes("/")?[command]:(env.PATH??"").split(path.delimiter).filter(Boolean).map(dir=>path.join(dir,command));for(let file of candidates)try{accessSync(file,constants.X_OK);return}catch{}throw new LoomError("USAGE",`The Claude Code binary \`${command}\` was not found or is not executable.`,{hint:"Install Claude Code so `claude` is on PATH, or set `claude.command` in .loom/config.json or LOOM_CLAUDE to its path."})}var taskIdOf=(pid,serial)=>`run-${pid}-${serial}`,pidOfTask=taskId=>{let m=/^run-(\d+)-\d+$/.exec(taskId??"");return m?Number(m[1]):void 0};async function runDaemon(ctx,options={}){let config=await ctx.config(),say=options.log??(line=>ctx.io.out(line)),stamp=()=>ctx.now().toISOString().replace(/\.\d{3}Z$/,"Z"),command=claudeCommand(ctx.env,config);assertRunnable(command,ctx.env);let started=await startDaemon(ctx,{force:options.force}),daemonId=started.daemonId;await writeRunLock(ctx.paths,{pid:process.pid,daemon_id:daemonId}),options.force&&await ctx.store.update(s=>({...s,force_mode:!0})),say(`${stamp()} loom run: daemon ${daemonId} (pid ${process.pid}), workers: ${command}`);for(let r of started.recovered)say(`${stamp()} recovered #${r.issue}: ${r.action} (${r.reason})`);await markLostWorkers(ctx);let workers=new Map,serial=0,wake=null,nudge=()=>wake?.(),signals=0,onSignal=signal=>{if(signals+=1,signals===1)say(`${stamp()} ${signal}: stopping after the drain (again to stop the workers at once)`),writeFile(ctx.paths.stopDaemon,`${signal} to loom run at ${ctx.now().toISOString()}
`).then(nudge);else{say(`${stamp()} ${signal} again: stopping the workers now`);for(let{worker}of workers.values())worker.kill(2e3)}};process.on("SIGINT",onSignal),process.on("SIGTERM",onSignal);let iterations=0,lastSummary="";try{for(;;){iterations+=1;let result=await iterateOnce(ctx,daemonId);if((result.summary!==lastSummary||result.directives.length)&&say(`${stamp()} ${result.summary}`),lastSummary=result.summary,result.error&&say(`${stamp()} ${result.error.code}: ${result.error.message}`),result.shutdown)break;let state=await ctx.store.read();stopReplaced(state,workers,say,stamp);for(let directive of result.directives){serial+=1;let worker=await launch(ctx,config,command,directive,serial,workers);worker&&(say(`${stamp()} started ${directive.slot} /${directive.skill} ${directive.args} (pid ${worker.pid}) \u2192 ${worker.logFile}`),worker.exited.then(exit=>{say(`${stamp()} ended ${directive.slot}${directive.issue?` #${directive.issue}`:""}: ${exit.signal??`exit ${exit.code}`}`),nudge()}))}let woken=new AbortController;wake=()=>woken.abort(),await waitForStopFile(ctx.clock,ctx.paths.stopDaemon,config.poll_interval*1e3,{signal:woken.signal}),wake=null}let shutdown=await shutdownDaemon(ctx,{daemonId}),left=[...workers.values()].map(r=>r.worker).filter(w=>!w.done);for(let w of left)w.kill();return await Promise.all(left.map(w=>w.exited)),say(`${stamp()} stopped: ${shutdown.drained?"all shepherds reached a safe point":`still working past the drain: ${shutdown.stillRunning.map(n=>`#${n}`).join(" ")}`}`),{daemonId,iterations,workersStarted:serial,shutdown}}finally{process.off("SIGINT",onSignal),process.off("SIGTERM",onSignal),await removeRunLock(ctx.paths,daemonId)}}async function iterateOnce(ctx,daemonId){try{return await runIteration(ctx,{daemonId})}catch(error){if(!isTransient(error))throw error;return transientFailureResult(ctx,error)}}async function launch(ctx,config,command,directive,serial,workers){let logFile=await newLogPath(ctx.paths.logs,directive.slot,directive.issue??directive.skill,ctx.now()),worker;try{worker=await startWorker({command,skill:directive.skill,args:directive.args,model:directive.model??void 0,cwd:ctx.root,env:ctx.env,logFile})}catch(error){return await appendFile(logFile,`${JSON.stringify({type:LOOM_EXIT_TYPE,code:null,signal:null,error:error.message})}
`),await recordTask(ctx,directive.slot,{taskId:taskIdOf(0,serial),outputFile:logFile}),null}let taskId=taskIdOf(worker.pid,serial);workers.set(taskId,{worker,slot:directive.slot}),worker.exited.then(()=>workers.delete(taskId)),await recordTask(ctx,directive.slot,{taskId,outputFile:logFile});let inUse=new Set([...workers.values()].map(r=>r.worker.logFile));return await rotateLogs(ctx.paths.logs,directive.slot,config.logs.keep,inUse),worker}function stopReplaced(state,workers,say,stamp){for(let[taskId,{worker,slot}]of workers){if(worker.done||!slot.startsWith("shepherd-"))continue;let now=state.shepherds[slot],restarted=now?.status==="working"&&now.task_id!==taskId,blocked=now?.status==="idle"&&(now.idle_reason??"").startsWith("blocked");!restarted&&!blocked||(say(`${stamp()} stopping worker ${taskId} (pid ${worker.pid}) of ${slot}: ${restarted?"restarted":"blocked"}`),worker.kill())}}async function markLostWorkers(ctx){let state=await ctx.store.read(),tasks=[...Object.values(state.shepherds).filter(s=>s.status==="working"),...Object.values(state.support_roles).filter(r=>r.status==="running")];for(let task of tasks){let pid=pidOfTask(task.task_id);!pid||!task.output_file||processAlive(pid)||existsSync(task.output_file)&&await appendFile(task.output_file,`
${JSON.stringify({type:LOOM_EXIT_TYPE,code:null,signal:"lost",time:ctx.now().toISOString()})}
`)}}var RunOptions=object({force:boolean().default(!1),printUnit:_enum(["systemd","launchd"]).optional()}),RunResultSchema=discriminatedUnion("kind",[object({kind:literal("unit"),unit:_enum(["systemd","launchd"]),text:string()}),object({kind:literal("daemon"),daemon_id:string(),iterations:number().int().nonnegative(),workers_started:number().int().nonnegative(),drained:boolean(),still_running:array(number().int().positive())})]);function register(program,run){program.command("run").description("Run the daemon in the foreground with headless Claude Code workers (tmux, systemd, launchd, CI)").option("--force","take over even if another daemon polled recently; also sets force mode").option("--print-unit <kind>","print a systemd unit or a launchd plist for this repository, and exit").addHelpText("after",`
Same planner as /loom: \`loom start\` (crash recovery), an iteration every poll_interval, and on
.loom/stop-daemon, SIGINT or SIGTERM the same drain as \`loom shutdown\` (a second signal stops the workers
at once). Each SPAWN runs as: claude -p "/<skill> <args>" --output-format stream-json --verbose [--model M]
in the repository root with stdin closed, logged to .loom/logs/<slot>-<issue or role>-<UTC time>.jsonl.
Claude Code binary: env LOOM_CLAUDE, else config claude.command, else \`claude\` on PATH.
Usage limits pause new workers and claims until the reset; a refused issue keeps its claim and resumes.
${exitCodeHelp("run")}
Examples:
  tmux new -d -s loom '.loom/scripts/loom run'
  .loom/scripts/loom run --print-unit systemd > ~/.config/systemd/user/loom-myproject.service`).action(raw=>run(async env=>{let options=parseOptions(RunOptions,raw);return renderLoomRun(env.io,await loomRun(await context(env),options),options)}))}async function loomRun(ctx,options){if(options.printUnit){let config=await ctx.config(),input={root:ctx.root,node:process.execPath,script:path2.join(ctx.paths.scripts,"loom"),path:ctx.env.PATH??"/usr/local/bin:/usr/bin:/bin",drainSeconds:config.shutdown_drain,name:path2.basename(ctx.root).replace(/[^A-Za-z0-9_-]/g,"-")||"repo"},text=options.printUnit==="systemd"?systemdUnit(input):launchdPlist(input);return{kind:"unit",unit:options.printUnit,text}}let outcome=await runDaemon(ctx,{force:options.force});return{kind:"daemon",daemon_id:outcome.daemonId,iterations:outcome.iterations,workers_started:outcome.workersStarted,drained:outcome.shutdown.drained,still_running:outcome.shutdown.stillRunning}}function renderLoomRun(io,result,_options){return result.kind==="unit"&&io.out(result.text.trimEnd()),ExitCode.ok}export{RunOptions,RunResultSchema,loomRun,register,renderLoomRun};
