-- Yearly membership fee (cotisation), in euro cents, per organisation.
ALTER TABLE koomy_api.organisations
    ADD COLUMN yearly_fee_cents integer NOT NULL DEFAULT 0 CHECK (yearly_fee_cents >= 0);
