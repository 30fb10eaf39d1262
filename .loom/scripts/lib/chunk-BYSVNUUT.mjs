import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
import{Label}from"./chunk-7HKHIR4W.mjs";var AGENT_MODELS=["sonnet","opus","haiku","fable"],ESCALATED_ROLES=new Set(["builder","doctor"]);function modelFor(models,role,facts={}){return facts.rejected&&ESCALATED_ROLES.has(role)&&models.escalate_to?models.escalate_to:models[role]??null}function agentModel(model){if(!model)return null;let lower=model.toLowerCase();return AGENT_MODELS.find(alias=>new RegExp(`(^|[^a-z])${alias}([^a-z]|$)`).test(lower))??null}function rejectedByJudge(pullLabels){return pullLabels.includes(Label.changesRequested)}export{modelFor,agentModel,rejectedByJudge};
