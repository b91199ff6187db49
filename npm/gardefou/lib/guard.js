'use strict';
// The Node side of gardefou: it gathers what only the process knows and asks the gardefou
// binary for every verdict (`gardefou node register`, `gardefou node prove`). No rule of
// the policy is implemented here; the only comparison made in JavaScript is the equality
// of a row with the one the binary said the proven database returns.

const { spawn, spawnSync } = require('child_process');
const readline = require('readline');
const { binaryPath } = require('./binary');

const STATE = Symbol.for('gardefou.state');
// The environment the process was judged with, kept beside the state but not enumerable:
// every later proof judges connections against it, whatever `process.env` says by then.
const JUDGED = Symbol.for('gardefou.judged-environment');

/** A refusal: `findings` holds `{rule, policy, severity, message, fix}` objects, no value. */
class GardefouError extends Error {
  constructor(message, findings) {
    super(message);
    this.name = 'GardefouError';
    this.code = 'GARDEFOU_REFUSED';
    this.findings = findings || [];
  }
}

function summary(findings) {
  const errors = findings.filter((f) => f.severity === 'error');
  return errors.map((f) => `${f.rule}: ${f.message}`).join('; ') || 'refused';
}

function state() {
  return globalThis[STATE] || null;
}

function inspectorUrl() {
  try {
    return require('inspector').url() || null;
  } catch {
    // A Node built without the inspector cannot open it.
    return null;
  }
}

/**
 * Judges this process (environment, Node options, inspector) and proves its database,
 * synchronously, through the binary. The human report goes to stderr. On refusal: with
 * `exit`, the process exits 1 (2 on a configuration error) before anything else runs;
 * otherwise a GardefouError is thrown.
 */
function register(purpose, { exit = true } = {}) {
  const known = state();
  // Judged once per process; a seed registered after a server's register is judged again,
  // as a seed (§6).
  if (known && (known.purpose === purpose || purpose === 'run')) return known;
  // While the binary judges, SIGUSR1 must not open the inspector behind its back: the
  // listener replaces Node's handler until the verdict (and for good in production).
  const holdSignal = () => {
    process.stderr.write('gardefou: SIGUSR1 ignored while the process is judged\n');
  };
  process.on('SIGUSR1', holdSignal);
  const facts = {
    execArgv: process.execArgv,
    script: process.argv[1] || null,
    inspectorUrl: inspectorUrl(),
  };
  let exe;
  try {
    exe = binaryPath();
  } catch (e) {
    return fail(exit, 2, e.message, []);
  }
  const r = spawnSync(exe, ['node', 'register', '--purpose', purpose], {
    input: `${JSON.stringify(facts)}\n`,
    env: process.env,
    stdio: ['pipe', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.error) {
    return fail(exit, 2, `gardefou: cannot run the gardefou binary (${r.error.code || 'error'})`, []);
  }
  let report = null;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    report = null;
  }
  if (r.status !== 0 || !report || report.verdict === 'deny') {
    const findings = (report && report.findings) || [];
    const code = r.status === 1 ? 1 : 2;
    return fail(exit, code, `gardefou: refused (${summary(findings)})`, findings);
  }
  // What was judged: later proofs use this environment, the registry key included; the
  // key itself is gardefou's, not the application's.
  const judged = Object.assign({}, process.env);
  delete process.env.GARDEFOU_SECRETS_KEY;
  const st = {
    purpose,
    environment: report.environment,
    target: report.target,
    session: report.session || null,
    debugRoutes: report.debug_routes === true,
    // Never reused across registrations: a connection proven under an earlier state stays
    // stale.
    generation: known ? known.generation + 1 : 0,
  };
  Object.defineProperty(st, JUDGED, { value: Object.freeze(judged), enumerable: false });
  globalThis[STATE] = st;
  if (st.environment === 'production') {
    closeInspectorDoors();
    if (inspectorUrl()) {
      // Opened between the facts and the doors: judged again, with the inspector open.
      delete globalThis[STATE];
      return register(purpose, { exit });
    }
  }
  process.removeListener('SIGUSR1', holdSignal);
  guardWorkers(st);
  return st;
}

/**
 * Worker threads get the environment that was judged (not whatever process.env holds by
 * then), without the registry key; a worker that uses gardefou/pg judges itself from it.
 */
function guardWorkers(st) {
  let wt;
  try {
    wt = require('worker_threads');
  } catch {
    return;
  }
  if (wt.Worker[STATE]) return;
  const Original = wt.Worker;
  const judged = Object.assign({}, st[JUDGED]);
  delete judged.GARDEFOU_SECRETS_KEY;
  // In production a worker closes the inspector's doors before its own code runs.
  const doors = st.environment === 'production' ? [`--require=${require.resolve('./doors.js')}`] : [];
  class Worker extends Original {
    constructor(filename, options) {
      const execArgv = doors.concat((options && options.execArgv) || []);
      super(filename, Object.assign({}, options, { env: Object.assign({}, judged), execArgv }));
    }
  }
  Object.defineProperty(Worker, STATE, { value: true });
  wt.Worker = Worker;
  syncBuiltins();
}

/** Named ESM imports of built-in modules (`import { open } from 'node:inspector'`) see the change. */
function syncBuiltins() {
  try {
    require('module').syncBuiltinESMExports();
  } catch {
    // Older Node: CommonJS callers see the change already.
  }
}

/**
 * In production the inspector stays shut for the life of the process (§7.2): SIGUSR1 (and
 * `process._debugProcess`, which sends it) would open it, and so would `inspector.open()`.
 * A listener on SIGUSR1 replaces Node's handler that starts the inspector.
 */
function closeInspectorDoors() {
  if (require('worker_threads').isMainThread) {
    process.on('SIGUSR1', () => {
      process.stderr.write('gardefou: SIGUSR1 ignored: the inspector is forbidden in production (§7.2)\n');
    });
  }
  const refuse = () => {
    throw new GardefouError('gardefou: the inspector is forbidden in production (§7.2)', []);
  };
  for (const name of ['inspector', 'inspector/promises']) {
    try {
      const inspector = require(name);
      Object.defineProperty(inspector, 'open', { value: refuse, writable: false, configurable: false });
    } catch {
      // Not in this Node (or built without the inspector).
    }
  }
  // The internal binding behind inspector.open().
  const binding = process.binding;
  if (typeof binding === 'function') {
    process.binding = function guardedBinding(name) {
      if (name === 'inspector') refuse();
      return binding.call(process, name);
    };
  }
  syncBuiltins();
}

/** The environment the process was judged with (process.env when nothing registered). */
function judgedEnvironment(st) {
  return (st && st[JUDGED]) || process.env;
}

function fail(exit, code, message, findings) {
  if (exit) {
    // The binary printed the findings on stderr already.
    if (code === 2) process.stderr.write(`${message}\n`);
    process.exit(code);
  }
  throw new GardefouError(message, findings);
}

/** The registered state; registers (as a server) when nothing did, throwing on refusal. */
function ensure() {
  return state() || register('run', { exit: false });
}

const RAW_TYPES = { getTypeParser: () => (value) => value };

/** Runs `sql` as one simple-protocol query; every row of every statement, as text. */
async function simpleRows(run, sql) {
  const result = await run({ text: sql, rowMode: 'array', types: RAW_TYPES });
  const results = Array.isArray(result) ? result : [result];
  const rows = [];
  for (const r of results) {
    for (const row of r.rows || []) {
      rows.push(row.map((c) => (c === null || c === undefined ? null : String(c))));
    }
  }
  return rows;
}

function sameRow(row, expect) {
  if (!row || row.length !== expect.length) return false;
  return row.every((c, i) => (c === '' ? null : c) === expect[i]);
}

/**
 * The full proof of a connection, in its own session: the binary sends the queries,
 * `run` executes them on the connection, the binary decides. Resolves with the binary's
 * final report (`verdict`, `findings`, `identity`, `stamp`, `session`).
 */
function fullProof(run, purpose, st = state()) {
  return new Promise((resolve, reject) => {
    let exe;
    try {
      exe = binaryPath();
    } catch (e) {
      reject(new GardefouError(e.message, []));
      return;
    }
    const args = ['node', 'prove', '--purpose', purpose];
    if (inspectorUrl()) args.push('--inspector-open');
    const child = spawn(exe, args, {
      env: judgedEnvironment(st),
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    // The binary bounds the proof by the policy's timeout; this only guards against a
    // binary that hangs.
    const deadline = setTimeout(() => child.kill('SIGKILL'), 120000);
    deadline.unref();
    let final = null;
    let chain = Promise.resolve();
    child.on('error', (e) =>
      reject(new GardefouError(`gardefou: cannot run the gardefou binary (${e.code || 'error'})`, [])),
    );
    child.stdin.on('error', () => {});
    const lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on('line', (line) => {
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      if (typeof msg.query === 'string') {
        chain = chain.then(async () => {
          let answer;
          try {
            answer = { rows: await simpleRows(run, msg.query) };
          } catch (e) {
            const server = typeof e.severity === 'string';
            answer = {
              error: { server, message: server ? `${e.severity}: ${e.message}` : String(e.message) },
            };
          }
          child.stdin.write(`${JSON.stringify(answer)}\n`);
        });
      } else {
        final = msg;
      }
    });
    child.on('close', (code) => {
      clearTimeout(deadline);
      chain.then(() => {
        if (final && code === 0 && final.verdict !== 'deny') resolve(final);
        else {
          const findings = (final && final.findings) || [];
          reject(new GardefouError(`gardefou: connection refused (${summary(findings)})`, findings));
        }
      });
    });
  });
}

/**
 * Proves a new connection before it is used: the cheap identity the last full proof
 * established, compared as a row; on any difference (another server, a restarted
 * compute, a first connection), the full proof in this session. A refusal forgets what
 * was proven, so connections proven before are not used again.
 */
async function proveConnection(run) {
  const st = ensure();
  const generation = st.generation;
  const session = st.session;
  // With the inspector open, only the full proof (which tells the binary) will do.
  if (session && !inspectorUrl()) {
    let rows = null;
    try {
      rows = await simpleRows(run, session.sql);
    } catch {
      rows = null;
    }
    if (rows && rows.length === 1 && sameRow(rows[0], session.expect) && st.session === session) {
      return generation;
    }
  }
  try {
    const final = await fullProof(run, st.purpose, st);
    if (st.generation === generation) st.session = final.session || null;
    return generation;
  } catch (e) {
    st.session = null;
    st.generation += 1;
    throw e;
  }
}

module.exports = {
  GardefouError,
  closeInspectorDoors,
  judgedEnvironment,
  register,
  ensure,
  state,
  proveConnection,
  fullProof,
  simpleRows,
};
