import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
import{mainWorktreeRoot}from"./chunk-HW2SKFAT.mjs";import{context}from"./chunk-7HKHIR4W.mjs";async function mainContext(env){return context({...env,cwd:await mainWorktreeRoot(env.cwd)},{startedIn:env.cwd})}function splitList(value){return(Array.isArray(value)?value:value===void 0?[]:[value]).flatMap(p=>String(p).split(",")).map(s=>s.trim()).filter(Boolean)}export{mainContext,splitList};
