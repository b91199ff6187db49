'use strict';
// `node -r dotenv/config -r gardefou/register server.js`, or `require('gardefou/register')`
// right after the application loads its env files: judges this process and proves its
// database before any server code runs; on refusal, prints every finding and exits 1.
require('./lib/guard').register('run');
