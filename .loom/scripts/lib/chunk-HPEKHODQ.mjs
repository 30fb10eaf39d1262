import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
import{isBusy}from"./chunk-SRIROAQS.mjs";async function recordHeartbeat(ctx,issue,report={}){let nowIso=ctx.now().toISOString();await ctx.store.update(state=>{let slot=Object.values(state.shepherds).find(s=>isBusy(s)&&s.issue===issue);return slot?(Object.assign(slot,{last_heartbeat:nowIso,stuck_since:null,...report.phase?{last_phase:report.phase}:{},...report.pr?{pr_number:report.pr}:{},...report.completed?{completed:report.completed}:{}}),state):(state.heartbeats[String(issue)]=nowIso,state)})}export{recordHeartbeat};
