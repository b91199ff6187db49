'use strict';
// Drop-in Pool and Client for node-postgres (`pg`, a peer dependency): every new physical
// connection proves, in its own session, the database's identity and stamp for KOOMY_ENV
// before any query of the application runs on it. A connection that fails the proof is
// closed and `connect()` rejects with a GardefouError naming the findings.

const pg = require('pg');
const guard = require('./lib/guard');

const PROVEN = Symbol('gardefou.proven');
const PROOF = Symbol('gardefou.proof');

function stale(client) {
  const st = guard.state();
  return !st || client[PROVEN] !== st.generation;
}

/**
 * A connection error as node-postgres gives it names the role (`password authentication
 * failed for user "…"`): the same error, without it.
 */
function withoutRole(e) {
  if (!e || typeof e.message !== 'string') return e;
  const safe = new Error(e.message.replace(/\b(user|role) "[^"]*"/g, '$1 "…"'));
  for (const key of ['code', 'severity', 'errno', 'syscall', 'address', 'port']) {
    if (e[key] !== undefined) safe[key] = e[key];
  }
  return safe;
}

class Client extends pg.Client {
  connect(callback) {
    if (!this[PROOF]) {
      const raw = (config) => pg.Client.prototype.query.call(this, config);
      this[PROOF] = (async () => {
        try {
          await pg.Client.prototype.connect.call(this);
        } catch (e) {
          throw withoutRole(e);
        }
        try {
          this[PROVEN] = await guard.proveConnection(raw);
        } catch (e) {
          // Never used: closed before any query of the application.
          try {
            await pg.Client.prototype.end.call(this);
          } catch {
            /* already closed */
          }
          throw e;
        }
        return this;
      })();
    }
    if (typeof callback === 'function') {
      this[PROOF].then(
        () => callback(null, this),
        (e) => callback(e),
      );
      return undefined;
    }
    return this[PROOF].then(() => undefined);
  }

  query(config, values, callback) {
    // Queries sent before the proof ended wait for it (node-postgres would otherwise queue
    // them ahead of the proof); a connection proven before a later refusal is not used.
    const proof = this[PROOF];
    const refused = () =>
      new guard.GardefouError(
        'gardefou: this connection was proven before a connection was refused; it is not used again',
        [],
      );
    if (proof && PROVEN in this && !stale(this)) {
      return pg.Client.prototype.query.call(this, config, values, callback);
    }
    const cb =
      typeof values === 'function'
        ? values
        : typeof callback === 'function'
          ? callback
          : config && typeof config.callback === 'function'
            ? config.callback
            : null;
    const submittable = config && typeof config.submit === 'function';
    const ready = (proof || Promise.reject(new Error('gardefou: connect() before query()'))).then(
      () => {
        if (stale(this)) {
          pg.Client.prototype.end.call(this).catch(() => {});
          throw refused();
        }
      },
    );
    if (submittable) {
      ready.then(
        () => pg.Client.prototype.query.call(this, config, values, callback),
        (e) => (config.handleError ? config.handleError(e, this.connection) : config.emit('error', e)),
      );
      return config;
    }
    if (cb) {
      ready.then(
        () => pg.Client.prototype.query.call(this, config, values, callback),
        (e) => cb(e),
      );
      return undefined;
    }
    return ready.then(() => pg.Client.prototype.query.call(this, config, values));
  }
}

class Pool extends pg.Pool {
  constructor(options) {
    super(Object.assign({}, options, { Client }));
  }
}

module.exports = { Pool, Client, GardefouError: guard.GardefouError, types: pg.types };
