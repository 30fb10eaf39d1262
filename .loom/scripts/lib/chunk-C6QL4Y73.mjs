import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
<<<<<<<< HEAD:.loom/scripts/lib/chunk-3VS7AS4Q.mjs
var VERSION="0.1.0",BUILD="215395fead0f";export{VERSION,BUILD};
========
var VERSION="0.1.0",BUILD="de840e7a8073";export{VERSION,BUILD};
>>>>>>>> main:.loom/scripts/lib/chunk-C6QL4Y73.mjs
