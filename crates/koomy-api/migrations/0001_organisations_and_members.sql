-- Koomy's core: associations (organisations) and their members.
CREATE TABLE koomy_api.organisations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    city        text NOT NULL,
    -- Répertoire national des associations: W + 9 digits.
    rna         text UNIQUE CHECK (rna ~ '^W[0-9]{9}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE koomy_api.members (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  bigint NOT NULL REFERENCES koomy_api.organisations (id) ON DELETE CASCADE,
    first_name       text NOT NULL,
    last_name        text NOT NULL,
    email            text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    role             text NOT NULL CHECK (role IN ('presidence', 'tresorerie', 'secretariat', 'membre')),
    joined_on        date NOT NULL,
    UNIQUE (organisation_id, email)
);

CREATE INDEX members_organisation_idx ON koomy_api.members (organisation_id);
