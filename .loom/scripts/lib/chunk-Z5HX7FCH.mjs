import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
import{ZodBigInt,ZodBoolean,ZodDate,ZodNumber,ZodString}from"./chunk-P5UGXIYW.mjs";import{_coercedBigint,_coercedBoolean,_coercedDate,_coercedNumber,_coercedString}from"./chunk-7HKHIR4W.mjs";import{__export}from"./chunk-U6YAQNCA.mjs";var coerce_exports={};__export(coerce_exports,{bigint:()=>bigint,boolean:()=>boolean,date:()=>date,number:()=>number,string:()=>string});function string(params){return _coercedString(ZodString,params)}function number(params){return _coercedNumber(ZodNumber,params)}function boolean(params){return _coercedBoolean(ZodBoolean,params)}function bigint(params){return _coercedBigint(ZodBigInt,params)}function date(params){return _coercedDate(ZodDate,params)}export{coerce_exports};
