import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
import{redactSecrets}from"./chunk-HH3QF7R3.mjs";import{LoomError}from"./chunk-EH2RGRN7.mjs";var processOutput={out:line=>process.stdout.write(`${line}
`),err:line=>process.stderr.write(`${line}
`),isTTY:!!process.stdout.isTTY,get columns(){return process.stdout.columns||void 0}},defaultCommandEnv=()=>({cwd:process.cwd(),env:process.env,io:processOutput});function printJson(io,value){io.out(JSON.stringify(value,null,2))}function reportError(error,io,json,secrets=[]){if(error instanceof LoomError)return json&&printJson(io,{ok:!1,error:error.toJSON()}),io.err(redactSecrets(`loom: ${error.message}`,secrets)),error.hint&&io.err(redactSecrets(`  \u2192 ${error.hint}`,secrets)),error.exitCode;let text=error instanceof Error?error.stack??error.message:String(error);return json&&printJson(io,{ok:!1,error:{code:"BUG",message:redactSecrets(String(error?.message??error),secrets)}}),io.err(redactSecrets(`loom: unexpected error (a bug; please report it):
${text}`,secrets)),1}export{processOutput,defaultCommandEnv,printJson,reportError};
