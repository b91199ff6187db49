"""A psycopg 3 seed, run as `gardefou seed -- python3 examples/seed/seed.py`: the proof is
the first statement of the transaction that writes, on the connection that writes."""

import os
import sys

import psycopg


def main() -> int:
    proof = os.environ.get("GARDEFOU_ASSERT_SQL")
    if not proof:
        print("run this through gardefou seed", file=sys.stderr)
        return 1
    try:
        with psycopg.connect(os.environ["DATABASE_URL"]) as conn, conn.transaction():
            conn.execute(proof)
            conn.execute("CREATE TABLE IF NOT EXISTS public.seeded (x int)")
            conn.execute("INSERT INTO public.seeded VALUES (1)")
    except psycopg.Error as e:
        # gardefou's refusals say what is wrong; other errors may name the user: their class only.
        message = e.diag.message_primary or ""
        if not message.startswith("gardefou:"):
            message = f"{type(e).__name__} ({e.sqlstate or 'no SQLSTATE'})"
        print(f"seed failed: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
