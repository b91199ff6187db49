'use strict';
// The §8 debug routes for Express: `app.use(debugRoutes({ pool }))`. Mounted only when the
// binary said so (sandbox, a strong DEBUG_SECRET); a request they do not accept falls
// through to the application's own handlers, so in production and local, and without the
// right secret, a debug path is answered exactly as an unknown route.

const crypto = require('crypto');
const guard = require('./lib/guard');

const PREFIX = '/api/_debug/';
const DB_IDENTITY = '/api/_debug/db-identity';
const SECRET_HEADER = 'x-debug-secret';

function pass(req, res, next) {
  next();
}

function debugRoutes({ pool } = {}) {
  const st = guard.ensure();
  // The secret the binary judged, not whatever process.env holds by now.
  const secret = guard.judgedEnvironment(st).DEBUG_SECRET;
  if (!st.debugRoutes || typeof secret !== 'string' || !pool) return pass;
  // Compared as keyed MACs of equal length, in constant time.
  const key = crypto.randomBytes(32);
  const mac = (bytes) => crypto.createHmac('sha256', key).update(bytes).digest();
  const expected = mac(Buffer.from(secret, 'utf8'));
  return function gardefouDebugRoutes(req, res, next) {
    const path = (req.originalUrl || req.url || '').split('?')[0];
    if (!path.startsWith(PREFIX)) return next();
    const presented = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i].toLowerCase() === SECRET_HEADER) presented.push(req.rawHeaders[i + 1]);
    }
    const given = mac(Buffer.from(presented.length === 1 ? presented[0] : '', 'latin1'));
    const secretOk = crypto.timingSafeEqual(given, expected);
    const allowed = secretOk && presented.length === 1 && req.method === 'GET' && path === DB_IDENTITY;
    if (!allowed) return next();
    answer(pool, st).then(
      ([status, body]) => {
        res.status(status);
        res.set('Content-Type', 'application/json');
        res.set('Cache-Control', 'no-store');
        res.send(`${JSON.stringify(body, null, 2)}\n`);
      },
      () => next(),
    );
    return undefined;
  };
}

async function answer(pool, st) {
  let client;
  try {
    client = await pool.connect();
  } catch (e) {
    return [503, { error: e instanceof guard.GardefouError ? e.message : 'the database cannot be reached' }];
  }
  try {
    const raw = (config) => client.query(config);
    const final = await guard.fullProof(raw, st.purpose).catch((e) => ({
      verdict: 'deny',
      findings: e.findings || [],
      identity: null,
    }));
    const body = Object.assign({ environment: st.environment }, final.identity || {}, {
      stamp: final.stamp || null,
      verdict: final.verdict === 'deny' ? 'deny' : 'allow',
      findings: (final.findings || []).map((f) => ({ rule: f.rule, severity: f.severity, message: f.message })),
    });
    return [final.identity ? 200 : 503, body];
  } finally {
    client.release();
  }
}

module.exports = { debugRoutes, PREFIX, DB_IDENTITY, SECRET_HEADER };
