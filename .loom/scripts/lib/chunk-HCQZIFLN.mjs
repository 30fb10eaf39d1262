import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
var VERSION="0.1.0",BUILD="62071ee980be";export{VERSION,BUILD};
