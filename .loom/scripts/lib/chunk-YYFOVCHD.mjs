import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
var Label={triage:"loom:triage",curating:"loom:curating",curated:"loom:curated",issue:"loom:issue",building:"loom:building",blocked:"loom:blocked",urgent:"loom:urgent",architect:"loom:architect",hermit:"loom:hermit",epic:"loom:epic",epicPhase:"loom:epic-phase",abort:"loom:abort",manualMerge:"loom:manual-merge",reviewRequested:"loom:review-requested",reviewing:"loom:reviewing",pr:"loom:pr",changesRequested:"loom:changes-requested",treating:"loom:treating"},allLabelNames=Object.values(Label);export{Label,allLabelNames};
