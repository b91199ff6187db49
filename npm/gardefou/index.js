'use strict';
// gardefou for Node: `gardefou/register`, `gardefou/seed`, `gardefou/pg`, `gardefou/express`.
const guard = require('./lib/guard');

module.exports = {
  register: (purpose = 'run') => guard.register(purpose, { exit: false }),
  state: guard.state,
  GardefouError: guard.GardefouError,
};
