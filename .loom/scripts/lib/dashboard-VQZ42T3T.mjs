import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
import{renderLogLine}from"./chunk-IQ5ESTTH.mjs";import{logsFor}from"./chunk-KVXWJESQ.mjs";import{summaryLine}from"./chunk-IEDTOGGW.mjs";import"./chunk-BNWWNHDT.mjs";import{coerce_exports}from"./chunk-Z5HX7FCH.mjs";import{execa}from"./chunk-JHWPBUQH.mjs";import{boolean,object}from"./chunk-P5UGXIYW.mjs";import{context,isBusy,parseOptions,slotCounts,systemClock,totalSlots}from"./chunk-7HKHIR4W.mjs";import{LoomError,cleanText,exitCodeHelp}from"./chunk-UVKLLUV6.mjs";import"./chunk-U6YAQNCA.mjs";var STAGES=[{key:"triage",name:"Outside issues waiting",label:"loom:triage"},{key:"curated",name:"Curated",label:"loom:curated"},{key:"proposals",name:"Proposals",label:"loom:architect, loom:hermit"},{key:"ready",name:"Ready",label:"loom:issue"},{key:"building",name:"Building",label:"loom:building"},{key:"review_requested",name:"In review",label:"loom:review-requested"},{key:"changes_requested",name:"Changes requested",label:"loom:changes-requested"},{key:"ready_to_merge",name:"Approved",label:"loom:pr"},{key:"pr_needs_fix",name:"Approved, needs a fix",label:"loom:pr (conflict or failing checks)"},{key:"blocked",name:"Blocked",label:"loom:blocked"}];function itemUrl(host,repository,number){return!repository||!/^[\w.-]+\/[\w.-]+$/.test(repository)||!/^[\w.-]+$/.test(host)?null:`https://${host}/${repository}/issues/${number}`}function trackPhases(previous,shepherds,now){let next={};for(let s of shepherds){if(s.issue===null||s.phase===null)continue;let old=previous[s.slot];if(old&&old.issue===s.issue){let last=old.phases.at(-1);next[s.slot]=last?.phase===s.phase?old:{...old,phases:[...old.phases,{phase:s.phase,since:now.toISOString()}]};continue}let fromClaim=s.phase==="curator"&&s.running_seconds!==null,since=fromClaim?new Date(now.getTime()-s.running_seconds*1e3):now;next[s.slot]={issue:s.issue,phases:[{phase:s.phase,since:since.toISOString()}],partial:!fromClaim}}return next}function phaseDurations(track,now){return track?track.phases.map((p,i)=>{let end=i+1<track.phases.length?Date.parse(track.phases[i+1].since):now.getTime();return{phase:p.phase,seconds:Math.max(0,Math.round((end-Date.parse(p.since))/1e3))}}):[]}function summarize(previous,current,config){if(current.daemon.iteration===0||previous&&previous.daemon.iteration===current.daemon.iteration)return null;let issuesOf=r=>new Set((r?.shepherds??[]).flatMap(s=>s.issue!==null&&s.phase!==null?[s.issue]:[])),before=issuesOf(previous),after=issuesOf(current),running=r=>new Set((r?.support_roles??[]).filter(x=>x.status==="running").map(x=>x.role)),rolesBefore=running(previous),line=summaryLine({ready:current.pipeline.ready,building:current.pipeline.building,activeShepherds:after.size,maxShepherds:totalSlots(slotCounts(config)),spawnedIssues:previous?[...after].filter(n=>!before.has(n)):[],spawnedRoles:previous?[...running(current)].filter(r=>!rolesBefore.has(r)):[],completedIssues:previous?[...before].filter(n=>!after.has(n)):[],stuck:current.shepherds.filter(s=>s.stuck).length,warnings:current.warnings.filter(w=>!previous?.warnings.some(p=>p.time===w.time&&p.type===w.type)).length});return{iteration:current.daemon.iteration,time:current.daemon.last_poll??current.generated_at,line}}function pushSummary(list,item,keep){return item?[...list,item].slice(-keep):[...list]}function buildDashboard(input){let{report,host,facts,now}=input,repo=report.repository,url=n=>itemUrl(host,repo,n),title=(n,own)=>own??(n!==null&&facts?.titles[n]!==void 0?cleanText(facts.titles[n],120):null),counts=report.pipeline,sum=(a,b)=>a===null||b===null?null:a+b;return{generated_at:report.generated_at,repository:repo,repository_url:repo&&url(1)?`https://${host}/${repo}`:null,daemon:report.daemon,pipeline:STAGES.map(s=>({key:s.key,name:s.name,label:s.label,count:s.key==="proposals"?sum(report.pipeline.architect_proposals,report.pipeline.hermit_proposals):counts[s.key]??null})),pipeline_source:report.pipeline_source,pipeline_updated_at:report.pipeline_updated_at,ready:(facts?.ready??[]).map(r=>({number:r.number,title:cleanText(r.title,120),url:url(r.number)})),lanes:report.shepherds.map(s=>{let track=input.phases[s.slot],current=track&&track.issue===s.issue?track:void 0;return{slot:s.slot,status:s.status,issue:s.issue,title:title(s.issue,s.title),issue_url:s.issue!==null?url(s.issue):null,phase:s.phase,timeline:phaseDurations(current,now),timeline_partial:current?.partial??!1,running_seconds:s.running_seconds,heartbeat_age_seconds:s.seconds_since_output,stuck:s.stuck,pr:s.pr,pr_url:s.pr!==null?url(s.pr):null,cost_usd:s.cost_usd,has_log:s.log!==null}}),roles:report.support_roles.map(r=>({...r,has_log:r.log!==null})),usage:report.usage,cost:{today_usd:report.cost.today_usd,total_usd:report.cost.total_usd,budget_daily_usd:report.cost.budget_daily_usd,budget_reached:report.cost.budget_reached},waiting:report.human_actions.map(a=>({...a,url:url(a.number)})),repairs:report.pull_repairs.map(p=>({...p,url:url(p.number)})),summaries:[...input.summaries].reverse(),warnings:report.warnings,errors:report.errors,refresh:input.refresh}}function withLocalParts(github,local){return{...local,pipeline:github.pipeline,pipeline_source:github.pipeline_source,pipeline_updated_at:github.pipeline_updated_at,human_actions:github.human_actions,pull_repairs:github.pull_repairs,errors:[...github.errors,...local.errors.filter(e=>!github.errors.some(g=>g.code===e.code))]}}function factsOf(snapshot){let titles={};for(let item of[...snapshot.buildingIssues,...snapshot.readyIssues,...snapshot.pullRequests,...snapshot.approvedPulls,...snapshot.proposals,...snapshot.blockedIssues])titles[item.number]=item.title;return{titles,ready:snapshot.readyIssues.map(i=>({number:i.number,title:i.title}))}}var Refresher=class{constructor(options){this.options=options;this.now=options.now??systemClock.now}model=null;githubRefreshes=0;lastGithubMs=Number.NEGATIVE_INFINITY;lastGithubAt=null;githubReport=null;facts=null;phases={};summaries=[];previous=null;pollSeconds=30;listeners=new Set;running=null;timer;now;subscribe(listener){return this.listeners.add(listener),this.model&&listener(this.model),this.listeners.size===1&&this.schedule(0),()=>{this.listeners.delete(listener),this.listeners.size===0&&clearTimeout(this.timer)}}refresh(){return this.running??=this.doRefresh().finally(()=>this.running=null),this.running}async current(){return this.model||await this.refresh().catch(()=>{}),this.model}stop(){this.listeners.clear(),clearTimeout(this.timer)}schedule(delayMs){clearTimeout(this.timer),this.timer=setTimeout(async()=>{await this.refresh().catch(()=>{}),this.listeners.size&&this.schedule(this.options.localEveryMs??2e3)},delayMs)}async doRefresh(){let started=this.now(),github=started.getTime()-this.lastGithubMs>=this.pollSeconds*1e3;github&&(this.lastGithubMs=started.getTime(),this.lastGithubAt=started.toISOString(),this.githubRefreshes+=1);let{report:read,snapshot,config}=await this.options.collect(github?"github":"local");this.pollSeconds=config.poll_interval,github&&(this.githubReport=read,snapshot&&(this.facts=factsOf(snapshot)));let report=github||!this.githubReport?read:withLocalParts(this.githubReport,read),now=this.now();this.phases=trackPhases(this.phases,report.shepherds,now),this.summaries=pushSummary(this.summaries,summarize(this.previous,report,config),this.options.keepSummaries??20),this.previous=report,this.model=buildDashboard({report,host:this.options.host,facts:this.facts,phases:this.phases,summaries:this.summaries,refresh:{github_requests:this.githubRefreshes,last_github_at:this.lastGithubAt,poll_interval_seconds:this.pollSeconds},now});for(let listener of this.listeners)listener(this.model)}};import{randomBytes,timingSafeEqual}from"node:crypto";import{createServer}from"node:http";import path from"node:path";import{open,stat}from"node:fs/promises";function tailLog(file,onLines,options={}){let backlog=options.backlogBytes??65536,offset=-1,partial="",stopped=!1,timer,readMore=async()=>{let size;try{size=(await stat(file)).size}catch{return}let skipFirst=!1;if((offset<0||size<offset)&&(offset=Math.max(0,size-backlog),skipFirst=offset>0,partial=""),size===offset)return;let handle=await open(file,"r"),text;try{let buffer=Buffer.alloc(size-offset),{bytesRead}=await handle.read(buffer,0,buffer.length,offset);offset+=bytesRead,text=buffer.subarray(0,bytesRead).toString("utf8")}finally{await handle.close()}let lines=(partial+text).split(`
`);partial=lines.pop()??"",skipFirst&&lines.shift();let views=lines.flatMap(line=>line.trim()?renderLogLine(line)?.split(`
`)??[]:[]);views.length&&!stopped&&onLines(views)},loop=async()=>{try{await readMore()}catch{}stopped||(timer=setTimeout(loop,options.intervalMs??1e3))};return loop(),{stop(){stopped=!0,clearTimeout(timer)}}}function renderSections(m,h){let secs=s=>s===null?"\u2014":s<60?`${s}s`:s<3600?`${Math.floor(s/60)}m`:s<86400?`${Math.floor(s/3600)}h ${String(Math.floor(s%3600/60)).padStart(2,"0")}m`:`${Math.floor(s/86400)}d ${Math.floor(s%86400/3600)}h`,nowMs=Date.parse(m.generated_at),rel=(iso,future=!1)=>{if(!iso)return"\u2014";let d=Math.round((Date.parse(iso)-nowMs)/1e3);return future?d<=0?"due":`in ${secs(d)}`:`${secs(Math.max(0,-d))} ago`},usd=v=>v===null?"\u2014":`$${v.toFixed(2)}`,time=iso=>iso?`${iso.replace("T"," ").replace(/\.\d+Z$|Z$/,"")} UTC`:"\u2014",link=(url,text,label)=>url?h("a",{href:url,rel:"noreferrer noopener","aria-label":label??null},text):text,empty=text=>h("p",{class:"empty"},text),list=(items,cls,none)=>items.length?h("ul",{class:cls},items):empty(none),logButton=(id,what)=>h("button",{type:"button",class:"show-log","data-log":id,"aria-label":`Show the log of ${what}`},"Log"),daemon=h("p",{class:`daemon daemon-${m.daemon.status}`},h("strong",null,`Daemon ${m.daemon.status}`),` \xB7 iteration ${m.daemon.iteration} \xB7 last poll ${secs(m.daemon.seconds_since_poll)} ago`,m.daemon.rate_limited_until?` \xB7 GitHub rate limit until ${time(m.daemon.rate_limited_until)}`:"",` \xB7 GitHub read ${m.refresh.github_requests}\xD7 (every ${m.refresh.poll_interval_seconds}s at most), last ${time(m.refresh.last_github_at)}`),pipeline=h("div",null,h("ol",{class:"pipeline"},m.pipeline.map(s=>h("li",{class:`stage stage-${s.key}`,"data-stage":s.key},h("span",{class:"count"},s.count===null?"?":String(s.count)),h("span",{class:"name"},s.name),h("span",{class:"label"},s.label)))),m.pipeline_source==="none"?empty("Counts unavailable: GitHub could not be read (see Problems)."):null,m.ready.length?h("div",{class:"next"},h("h3",null,"Next ready issues"),h("ol",{class:"ready"},m.ready.map(r=>h("li",null,link(r.url,`#${r.number}`)," ",h("span",{class:"title"},r.title))))):null),lanes=list(m.lanes.map(l=>h("li",{class:`lane lane-${l.status}${l.stuck?" stuck":""}`,"data-slot":l.slot},h("div",{class:"lane-head"},h("strong",null,l.slot)," ",h("span",{class:"badge"},l.status),l.stuck?h("span",{class:"badge badge-stuck",role:"img","aria-label":"stuck"},"\u26A0 stuck"):null,l.has_log?logButton(l.slot,l.slot):null),l.issue===null?empty("No issue"):h("p",{class:"lane-issue"},link(l.issue_url,`#${l.issue}`,`issue ${l.issue}`)," ",h("span",{class:"title"},l.title??"")),l.issue===null?null:h("dl",{class:"facts"},h("dt",null,"Phase"),h("dd",{class:"phase"},l.phase??"\u2014"),h("dt",null,"Running"),h("dd",null,secs(l.running_seconds)),h("dt",null,"Heartbeat"),h("dd",{class:"heartbeat"},`${secs(l.heartbeat_age_seconds)} ago`),h("dt",null,"PR"),h("dd",null,l.pr===null?"\u2014":link(l.pr_url,`#${l.pr}`,`pull request ${l.pr}`)),h("dt",null,"Cost"),h("dd",null,usd(l.cost_usd))),l.timeline.length?h("ol",{class:"timeline","aria-label":`Phases of ${l.slot}${l.timeline_partial?" since the dashboard started":""}`},l.timeline.map(p=>h("li",null,h("span",null,p.phase)," ",secs(p.seconds)))):null)),"lanes","No shepherd slot yet."),waiting=list(m.waiting.map((a,i)=>h("li",{class:`action action-${a.kind}`},h("p",null,link(a.url,`#${a.number}`)," ",h("span",{class:"title"},a.title)," ",h("span",{class:"badge"},a.kind)),a.reason?h("p",{class:"reason"},a.reason):null,h("div",{class:"command"},h("code",{id:`cmd-${i}`},a.command),h("button",{type:"button",class:"copy","data-copy":`cmd-${i}`,"aria-label":`Copy the command for #${a.number}`},"Copy")))),"actions","Nothing waits for you."),roles=h("table",null,h("thead",null,h("tr",null,["Role","Status","Last run","Next run","Last result",""].map(c=>h("th",{scope:"col"},c)))),h("tbody",null,m.roles.map(r=>h("tr",{"data-role":r.role},h("th",{scope:"row"},r.role),h("td",null,r.status),h("td",{title:r.last_completed??""},rel(r.last_completed)),h("td",{title:r.next_due??""},r.status==="running"?"running now":rel(r.next_due,!0)),h("td",null,r.last_result??"\u2014"),h("td",null,r.has_log?logButton(r.role,`the ${r.role}`):""))))),budget=m.cost.budget_daily_usd,spend=h("div",null,h("p",{class:m.usage.paused_until?"paused":"not-paused"},m.usage.paused_until?`Usage limit: paused until ${time(m.usage.paused_until)}${m.usage.reason?` (${m.usage.reason})`:""}`:"Usage limit: not paused"),h("p",null,`Today ${usd(m.cost.today_usd)}`,budget===null?" (no daily budget)":` of ${usd(budget)}`,m.cost.budget_reached?h("strong",null," \u2014 budget reached: no new claims today"):"",` \xB7 all time ${usd(m.cost.total_usd)}`),budget===null?null:h("meter",{min:0,max:budget,value:Math.min(m.cost.today_usd,budget),"aria-label":"Today's cost against the daily budget"})),summaries=list(m.summaries.map(s=>h("li",null,h("span",{class:"when"},`#${s.iteration} ${time(s.time)}`)," ",h("code",null,s.line))),"summaries","No iteration seen since the dashboard started."),problems=list([...m.errors.map(e=>h("li",{class:"error"},`${e.code}: ${e.message}${e.hint?` \u2192 ${e.hint}`:""}`)),...m.repairs.map(p=>h("li",{class:"warning"},link(p.url,`#${p.number}`),` ${p.title} needs the Doctor (${p.reason})`)),...m.warnings.map(w=>h("li",{class:w.severity},`${time(w.time)} ${w.type}: ${w.message}`))],"problems","None.");return{daemon,pipeline,lanes,waiting,roles,spend,summaries,problems}}var Html=class{constructor(html){this.html=html}},ENTITIES={"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"};function escapeHtml(text){return text.replace(/[&<>"']/g,c=>ENTITIES[c])}var flat=children=>children.flatMap(c=>Array.isArray(c)?flat(c):c===null||c===!1||c===void 0?[]:[c]),htmlH=(tag,attrs,...children)=>{let attributes=Object.entries(attrs??{}).filter(([,v])=>v!=null&&v!==!1).map(([k,v])=>v===!0?` ${k}`:` ${k}="${escapeHtml(String(v))}"`).join(""),inner=flat(children).map(c=>c instanceof Html?c.html:escapeHtml(c)).join("");return new Html(`<${tag}${attributes}>${inner}</${tag}>`)},SECTIONS=[{id:"pipeline",title:"Pipeline"},{id:"lanes",title:"Shepherds"},{id:"waiting",title:"Waiting for you"},{id:"spend",title:"Usage and cost"},{id:"roles",title:"Support roles"},{id:"summaries",title:"Iterations"},{id:"problems",title:"Problems"}],STYLE=`
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--card:#f6f8fa;--accent:#0550ae;--warn:#9a6700;--bad:#b3261e;--ok:#1a7f37}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;--card:#161b22;--accent:#6cb6ff;--warn:#e3b341;--bad:#ff7b72;--ok:#56d364}}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg)}
a{color:var(--accent)}a:focus-visible,button:focus-visible,select:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
header,main,footer{max-width:1200px;margin:0 auto;padding:8px 16px}header h1{font-size:1.3rem;margin:8px 0}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:var(--bg);padding:4px}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:16px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 12px;min-width:0}
section h2{font-size:1.05rem;margin:4px 0 8px}#pipeline,#lanes,#log,#roles{grid-column:1/-1}
.pipeline{display:flex;flex-wrap:wrap;gap:6px;list-style:none;padding:0;margin:0}
.stage{border:1px solid var(--line);border-radius:6px;padding:4px 8px;display:flex;flex-direction:column;min-width:96px;background:var(--bg)}
.stage .count{font-size:1.4rem;font-weight:700}.stage .label,.empty,.when,.reason{color:var(--muted);font-size:.85rem}
.lanes{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:8px}
.lane{border:1px solid var(--line);border-left:4px solid var(--ok);border-radius:6px;padding:6px 10px;background:var(--bg)}
.lane-idle{border-left-color:var(--line)}.lane.stuck{border-left-color:var(--bad)}
.badge{font-size:.8rem;border:1px solid var(--line);border-radius:10px;padding:0 6px;margin-left:4px}.badge-stuck{color:var(--bad);border-color:var(--bad)}
.facts{display:grid;grid-template-columns:auto 1fr;gap:0 10px;margin:4px 0}.facts dt{color:var(--muted)}.facts dd{margin:0}
.timeline{display:flex;flex-wrap:wrap;gap:4px;list-style:none;padding:0;margin:4px 0;font-size:.85rem}.timeline li{border:1px solid var(--line);border-radius:4px;padding:0 4px}
.timeline li:last-child{border-color:var(--accent)}
.title{overflow-wrap:anywhere}.actions,.summaries,.problems,.ready{padding-left:18px;margin:0}.actions li{margin-bottom:8px}
.command{display:flex;gap:6px;align-items:flex-start}code{font:13px/1.4 ui-monospace,monospace;overflow-wrap:anywhere;white-space:pre-wrap}
.command code{flex:1;background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:2px 6px}
button,select{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:2px 10px;cursor:pointer;min-height:32px}
.lane-head{display:flex;align-items:center;gap:4px;flex-wrap:wrap}.lane-head .show-log{margin-left:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:2px 6px;border-bottom:1px solid var(--line);vertical-align:top}
.table-wrap{overflow-x:auto}meter{width:100%;height:14px}.paused{color:var(--warn);font-weight:600}
.error{color:var(--bad)}.warning{color:var(--warn)}
#log-lines{height:320px;overflow:auto;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:6px;margin:6px 0 0;font:12px/1.4 ui-monospace,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
.log-bar{display:flex;gap:8px;align-items:center;flex-wrap:wrap}.live{font-size:.85rem;color:var(--muted)}
@media (max-width:480px){header,main{padding:6px 8px}main{grid-template-columns:1fr}.pipeline{display:grid;grid-template-columns:1fr 1fr}.stage{min-width:0}.stage .label{overflow-wrap:anywhere}}
`,CLIENT=`
var h = function (tag, attrs) {
  var el = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) {
    var v = attrs[k];
    if (v === null || v === undefined || v === false) return;
    el.setAttribute(k, v === true ? '' : String(v));
  });
  var add = function (c) {
    if (Array.isArray(c)) return c.forEach(add);
    if (c === null || c === undefined || c === false) return;
    if (typeof c === 'string') { var t = document.createTextNode(''); t.textContent = c; el.appendChild(t); }
    else el.appendChild(c);
  };
  Array.prototype.slice.call(arguments, 2).forEach(add);
  return el;
};
var query = location.search;
var live = document.getElementById('live');
var logSelect = document.getElementById('log-select');
var logLines = document.getElementById('log-lines');
var logFile = document.getElementById('log-file');
var logSource = null;
var model = null;
var say = function (text) { live.textContent = text; };
function update(next) {
  model = next;
  var sections = renderSections(next, h);
  Object.keys(sections).forEach(function (id) {
    var box = document.getElementById('content-' + id);
    if (box) box.replaceChildren(sections[id]);
  });
  var chosen = logSelect.value;
  var options = [h('option', { value: '' }, 'Choose a worker\u2026')];
  next.lanes.forEach(function (l) { if (l.has_log) options.push(h('option', { value: l.slot }, l.slot + (l.issue ? ' #' + l.issue : ''))); });
  next.roles.forEach(function (r) { if (r.has_log) options.push(h('option', { value: r.role }, r.role)); });
  if (chosen && !options.some(function (o) { return o.value === chosen; })) options.push(h('option', { value: chosen }, chosen));
  logSelect.replaceChildren.apply(logSelect, options);
  logSelect.value = chosen;
  say('Updated ' + new Date().toLocaleTimeString());
}
function follow(id) {
  if (logSource) { logSource.close(); logSource = null; }
  logLines.replaceChildren();
  logFile.textContent = '';
  if (!id) return;
  var params = new URLSearchParams(query);
  params.set('of', id);
  logSource = new EventSource('log?' + params.toString());
  logSource.addEventListener('file', function (e) { logFile.textContent = JSON.parse(e.data); });
  logSource.addEventListener('lines', function (e) {
    var atEnd = logLines.scrollTop + logLines.clientHeight >= logLines.scrollHeight - 4;
    JSON.parse(e.data).forEach(function (line) { logLines.appendChild(h('div', null, line)); });
    while (logLines.childNodes.length > 500) logLines.removeChild(logLines.firstChild);
    if (atEnd) logLines.scrollTop = logLines.scrollHeight;
  });
  logSource.addEventListener('missing', function (e) { logFile.textContent = JSON.parse(e.data); });
}
logSelect.addEventListener('change', function () { follow(logSelect.value); });
document.addEventListener('click', function (e) {
  var target = e.target instanceof Element ? e.target.closest('button') : null;
  if (!target) return;
  var log = target.getAttribute('data-log');
  if (log) {
    if (!Array.prototype.some.call(logSelect.options, function (o) { return o.value === log; })) logSelect.appendChild(h('option', { value: log }, log));
    logSelect.value = log;
    follow(log);
    logSelect.focus();
    return;
  }
  var copy = target.getAttribute('data-copy');
  if (copy) {
    var code = document.getElementById(copy);
    var text = code ? code.textContent : '';
    var done = function () { target.textContent = 'Copied'; setTimeout(function () { target.textContent = 'Copy'; }, 1500); say('Copied: ' + text); };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, function () { selectText(code); });
    else selectText(code);
  }
});
function selectText(node) {
  var range = document.createRange();
  range.selectNodeContents(node);
  var sel = getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
  say('Press Ctrl+C to copy the selected command');
}
var events = new EventSource('events' + query);
events.addEventListener('model', function (e) { update(JSON.parse(e.data)); });
events.addEventListener('error', function () { say('Connection lost; retrying\u2026'); });
`;function renderPage(model,options){let sections=model?renderSections(model,htmlH):null,repo=model?.repository??"this repository",body=SECTIONS.map(({id,title})=>{let content=sections?.[id]?.html??'<p class="empty">Loading\u2026</p>',wrap=id==="roles"?' class="table-wrap"':"";return`<section id="${id}" aria-labelledby="h-${id}"><h2 id="h-${id}">${escapeHtml(title)}</h2><div id="content-${id}"${wrap}>${content}</div></section>`});return`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Loom \u2014 ${escapeHtml(repo)}</title>
<style nonce="${options.nonce}">${STYLE}</style></head>
<body><a class="skip" href="#lanes">Skip to the shepherds</a>
<header><h1>Loom \xB7 ${model?.repository_url?`<a href="${escapeHtml(model.repository_url)}" rel="noreferrer noopener">${escapeHtml(repo)}</a>`:escapeHtml(repo)}</h1><div id="content-daemon">${sections?.daemon?.html??""}</div><p id="live" class="live" role="status" aria-live="polite"></p></header>
<main>${body.slice(0,2).join(`
`)}
<section id="log" aria-labelledby="h-log"><h2 id="h-log">Worker log</h2>
<div class="log-bar"><label for="log-select">Worker</label><select id="log-select"><option value="">Choose a worker\u2026</option></select><span id="log-file" class="live"></span></div>
<div id="log-lines" role="log" aria-label="Worker log lines" tabindex="0"></div></section>
${body.slice(2).join(`
`)}</main>
<footer class="live">Read-only view of <code>loom status</code>, the state file and the worker logs; live over Server-Sent Events.</footer>
<script nonce="${options.nonce}">"use strict";(function(){var renderSections=${renderSections.toString()};${CLIENT}})();</script>
</body></html>`}function newToken(){return randomBytes(32).toString("base64url")}var LOG_ID=/^(shepherd-\d{1,2}|[a-z]{1,20})$/,SECURITY_HEADERS={"cache-control":"no-store","x-content-type-options":"nosniff","referrer-policy":"no-referrer","x-frame-options":"DENY","cross-origin-resource-policy":"same-origin","cross-origin-opener-policy":"same-origin"};function sameToken(given,token){if(!given)return!1;let a=Buffer.from(given),b=Buffer.from(token);return a.length===b.length&&timingSafeEqual(a,b)}function refuse(res,status,text){res.writeHead(status,{...SECURITY_HEADERS,"content-type":"text/plain; charset=utf-8"}),res.end(`${text}
`)}function startEvents(req,res,keepAliveMs){res.writeHead(200,{...SECURITY_HEADERS,"content-type":"text/event-stream; charset=utf-8",connection:"keep-alive","x-accel-buffering":"no"}),res.write(`retry: 3000

`);let keepAlive=setInterval(()=>res.write(`: keep-alive

`),keepAliveMs);return req.on("close",()=>clearInterval(keepAlive)),(event,data)=>{res.write(`event: ${event}
data: ${JSON.stringify(data)}

`)}}async function startDashboardServer(options){let keepAliveMs=options.keepAliveMs??15e3,open2=new Set,port=options.port,handle=async(req,res)=>{let host=req.headers.host??"";if(host!==`127.0.0.1:${port}`&&host!==`localhost:${port}`)return refuse(res,403,"Forbidden host.");let url=new URL(req.url??"/",`http://127.0.0.1:${port}`);if(!sameToken(url.searchParams.get("token"),options.token))return refuse(res,403,"Forbidden: open the URL `loom dashboard` printed (it carries the token).");if(req.method!=="GET"&&req.method!=="HEAD")return res.setHeader("allow","GET, HEAD"),refuse(res,405,"Method not allowed.");switch(url.pathname){case"/":{let nonce=randomBytes(16).toString("base64"),html=renderPage(await options.refresher.current(),{nonce});return res.writeHead(200,{...SECURITY_HEADERS,"content-type":"text/html; charset=utf-8","content-security-policy":`default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`}),res.end(req.method==="HEAD"?void 0:html)}case"/model.json":{let model=await options.refresher.current();return res.writeHead(200,{...SECURITY_HEADERS,"content-type":"application/json; charset=utf-8"}),res.end(JSON.stringify(model))}case"/events":{open2.add(res);let send=startEvents(req,res,keepAliveMs),unsubscribe=options.refresher.subscribe(model=>send("model",model));req.on("close",()=>{unsubscribe(),open2.delete(res)});return}case"/log":{let id=url.searchParams.get("of")??"";if(!LOG_ID.test(id))return refuse(res,400,"Bad log id: a slot (shepherd-2) or a role (guide).");open2.add(res);let send=startEvents(req,res,keepAliveMs),file=await options.resolveLog(id);if(!file){send("missing",`No log for ${id} yet.`),req.on("close",()=>open2.delete(res));return}send("file",path.basename(file));let tail=tailLog(file,lines=>send("lines",lines),{intervalMs:options.logIntervalMs});req.on("close",()=>{tail.stop(),open2.delete(res)});return}default:return refuse(res,404,"Not found.")}},server=createServer((req,res)=>{handle(req,res).catch(()=>{res.headersSent?res.end():refuse(res,500,"The dashboard failed to answer; see its terminal.")})});return await new Promise((resolve,reject)=>{server.once("error",reject),server.listen(options.port,"127.0.0.1",()=>resolve())}),port=server.address().port,{port,url:`http://127.0.0.1:${port}/?token=${options.token}`,close:()=>new Promise(resolve=>{options.refresher.stop();for(let res of open2)res.end();server.close(()=>resolve()),server.closeAllConnections()})}}var DashboardOptions=object({port:coerce_exports.number().int().min(0).max(65535).default(0),open:boolean().default(!1)}),READY_SHOWN=10;function register(program,run){program.command("dashboard").description("Serve a live web page of the daemon, pipeline and workers on 127.0.0.1 (read-only)").option("--port <n>","the port on 127.0.0.1 (default: a free one)").option("--open","open the page in the default browser").addHelpText("after",`
Prints the page's URL, which carries a random token: any request without it, or for another host name, gets
403. The page shows the pipeline counts, one lane per shepherd (issue, phase timeline, heartbeat age, stuck
marker, PR, cost), the support roles, the usage pause and today's cost against the budget, what waits for
you (with the exact commands), the last iterations and a log pane that tails a worker's log. It updates
itself over Server-Sent Events: local files every 2 seconds, GitHub (one request) at most every
poll_interval seconds, and nothing while no page is open. Stop it with Ctrl-C.
${exitCodeHelp("dashboard")}
Examples:
  .loom/scripts/loom dashboard --open
  .loom/scripts/loom dashboard --port 8765`).action(raw=>run(async env=>{let options=parseOptions(DashboardOptions,raw),server=await dashboard(await context(env),options),stopped=stopSignal(),code=renderDashboard(env.io,server,options);return options.open&&openInBrowser(env.io,server.url),await stopped,await server.close(),code}))}function stopSignal(){return new Promise(resolve=>{let stop=()=>{process.off("SIGINT",stop),process.off("SIGTERM",stop),resolve()};process.on("SIGINT",stop),process.on("SIGTERM",stop)})}function opener(url){return process.platform==="darwin"?["open",[url]]:process.platform==="win32"?["rundll32",["url.dll,FileProtocolHandler",url]]:["xdg-open",[url]]}async function dashboard(ctx,options){let{collectStatus}=await import("./status-HOO2X6AW.mjs"),env={cwd:ctx.cwd,env:ctx.env,io:ctx.io,gh:ctx.gh,clock:ctx.clock,faults:ctx.faults},repoHost=await ctx.repo().then(repo=>repo.host,()=>{}),refresher=new Refresher({host:repoHost??"github.com",collect:async mode=>{let{report,snapshot,config}=await collectStatus(env,mode==="github"?{fast:!1,lists:{readyLimit:READY_SHOWN}}:{fast:!0});return{report,snapshot,config}}}),resolveLog=async id=>{let state=await ctx.store.read().catch(()=>null);if(state&&Object.hasOwn(state.shepherds,id)&&isBusy(state.shepherds[id]))return state.shepherds[id].output_file??null;let role=state?.support_roles[id];return role?.status==="running"&&role.output_file?role.output_file:(await logsFor(ctx.paths.logs,id)).at(-1)?.file??null};try{return await startDashboardServer({port:options.port,token:newToken(),refresher,resolveLog})}catch(error){let code=error.code;throw code==="EADDRINUSE"||code==="EACCES"?new LoomError("USAGE",`Cannot listen on 127.0.0.1:${options.port} (${code}).`,{hint:"Choose another --port, or leave it out to take a free one."}):error}}function renderDashboard(io,server,_options){return io.out(`Loom dashboard: ${server.url}`),io.out("Only this machine can open it, with the token in the URL. Ctrl-C stops it."),0}function openInBrowser(io,url){let[command,args]=opener(url);execa(command,args,{detached:!0,stdio:"ignore",reject:!1}).then(r=>{r.failed&&io.err(`loom: could not open a browser (${command}); open the URL above yourself.`)}).catch(()=>{})}export{DashboardOptions,dashboard,register,renderDashboard};
