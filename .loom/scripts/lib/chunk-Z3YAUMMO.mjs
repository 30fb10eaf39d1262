import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
import{LoomError}from"./chunk-UVKLLUV6.mjs";import{readFile}from"node:fs/promises";import path from"node:path";var MAX_BYTES=6e4;async function readTextFile(cwd,file,what){let full=path.resolve(cwd,file),text;try{text=await readFile(full,"utf8")}catch(error){throw new LoomError("USAGE",`Cannot read the ${what} file ${file}: ${error.code??"error"}.`,{hint:"Write the text with the Write tool first (under .loom/tmp/), then pass that path."})}if(Buffer.byteLength(text)>MAX_BYTES)throw new LoomError("USAGE",`The ${what} file ${file} is larger than ${MAX_BYTES} bytes.`,{hint:"Shorten the text."});if(!text.trim())throw new LoomError("USAGE",`The ${what} file ${file} is empty.`,{hint:"Write the text into it."});return text.replace(/\s+$/,"")}function splitTitle(text){let[first="",...rest]=text.split(`
`),title=first.replace(/^#+\s*/,"").trim();if(!title)throw new LoomError("USAGE","The first line of the file must be the title.",{hint:'Start the file with "# <title>", then the body.'});return{title:title.slice(0,250),body:rest.join(`
`).trim()}}function oneLine(text){let line=text.split(`
`).find(l=>l.trim())??"";return line.length>300?`${line.slice(0,297)}...`:line.trim()}export{readTextFile,splitTitle,oneLine};
