import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
var SHUTDOWN_SIGNAL="SHUTDOWN_SIGNAL",ROLE_ORDER=["architect","hermit","guide","curator","judge","champion","doctor"];function summaryLine(facts){let count=n=>n===null?"?":String(n),tokens=[`ready=${count(facts.ready)}`,`building=${count(facts.building)}`,`shepherds=${facts.activeShepherds}/${facts.maxShepherds}`,...facts.spawnedIssues.map(n=>`+shepherd=#${n}`),...ROLE_ORDER.filter(role=>facts.spawnedRoles.includes(role)).map(role=>`+${role}`),...facts.completedIssues.map(n=>`completed=#${n}`)];return facts.stuck>0&&tokens.push(`stuck=${facts.stuck}`),facts.warnings>0&&tokens.push(`warn=${facts.warnings}`),tokens.join(" ")}export{SHUTDOWN_SIGNAL,summaryLine};
