// `import 'gardefou/register'` after the application's own env loading (ESM).
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./register.js');
