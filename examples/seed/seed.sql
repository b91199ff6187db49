-- The seed's writes. The scripts beside this file run them in the transaction that
-- first runs gardefou's SQL proof ($GARDEFOU_ASSERT_SQL).
CREATE TABLE IF NOT EXISTS public.seeded (x int);
INSERT INTO public.seeded VALUES (1);
