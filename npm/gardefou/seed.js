'use strict';
// A seed script's first line: refuses unless KOOMY_ENV is a seed environment (sandbox) and
// the database is proven to be that environment's (§6). Connections of `gardefou/pg`
// opened afterwards prove it again, as a seed, each in its own session.
require('./lib/guard').register('seed');
