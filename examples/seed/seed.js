// A node-postgres seed, run as `gardefou seed -- node examples/seed/seed.js`: the proof is
// the first statement of the transaction that writes, on the connection that writes.
// (A server's pool is better served by `gardefou/pg`, which proves every connection.)
const { Client } = require('pg');

async function main() {
  const proof = process.env.GARDEFOU_ASSERT_SQL;
  if (!proof) throw new Error('run this through gardefou seed');
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(proof);
    await client.query('CREATE TABLE IF NOT EXISTS public.seeded (x int)');
    await client.query('INSERT INTO public.seeded VALUES (1)');
    await client.query('COMMIT');
  } finally {
    await client.end(); // closing an open transaction rolls it back
  }
}

main().catch((e) => {
  // gardefou's refusals say what is wrong; other errors may name the user: their code only.
  const message = String(e.message).startsWith('gardefou:') ? e.message : `error ${e.code || e.name}`;
  console.error(`seed failed: ${message}`);
  process.exitCode = 1;
});
