// `import 'gardefou/seed'` (ESM): see seed.js.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./seed.js');
