"""The store's schema as numbered migrations; ``PRAGMA user_version`` records the last applied."""

from __future__ import annotations

# Each migration runs once, in order, inside one transaction. Never edit a released migration:
# add a new one.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        -- Small columns first: SQLite reads a row's columns in order, and filters, joins and
        -- near-duplicate checks must not follow the overflow pages of the large ones at the end.
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            superseded_by INTEGER REFERENCES documents(id),
            published TEXT,
            outlet TEXT,
            language TEXT,
            revision INTEGER NOT NULL DEFAULT 1,
            supersedes INTEGER REFERENCES documents(id),
            ext_id TEXT NOT NULL,
            doc_key TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            published_estimated INTEGER NOT NULL DEFAULT 0,
            format TEXT NOT NULL,
            ingested_at TEXT NOT NULL,
            minhash BLOB,
            title TEXT,
            url TEXT,
            source TEXT NOT NULL,
            extra TEXT NOT NULL DEFAULT '{}',
            removed TEXT NOT NULL,        -- JSON [[rule, line], ...] dropped by cleaning
            segments TEXT NOT NULL,       -- JSON [[body_start, text_start, length], ...]
            body TEXT NOT NULL,           -- cleaned body: what events are extracted from
            text BLOB,                    -- zlib-compressed text before cleaning; NULL when = raw
            raw BLOB NOT NULL             -- zlib-compressed UTF-8 of the report as ingested
        );
        CREATE INDEX documents_ext_id ON documents(ext_id);
        CREATE UNIQUE INDEX documents_key_revision ON documents(doc_key, revision);
        CREATE INDEX documents_content_hash ON documents(content_hash);
        CREATE INDEX documents_published ON documents(published);
        CREATE INDEX documents_outlet ON documents(outlet);

        CREATE VIRTUAL TABLE documents_fts USING fts5(
            title, body,
            content='documents', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
        END;
        CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, body)
                VALUES ('delete', old.id, old.title, old.body);
        END;
        CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, body ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, body)
                VALUES ('delete', old.id, old.title, old.body);
            INSERT INTO documents_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
        END;

        CREATE TABLE minhash_bands (
            band_key INTEGER NOT NULL,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            PRIMARY KEY (band_key, doc_id)
        ) WITHOUT ROWID;

        CREATE TABLE near_duplicates (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            other_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            similarity REAL NOT NULL,
            PRIMARY KEY (doc_id, other_id)
        ) WITHOUT ROWID;

        CREATE TABLE fetch_cache (
            url TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            status INTEGER,
            fetched_at TEXT NOT NULL
        );
        """,
    ),
    (
        2,
        """
        -- Place mentions of a report as the place stage resolved them (nkwatch.nlp.geo), kept
        -- for later stages (events, maps). Replaced whole for a report when it is reprocessed.
        CREATE TABLE places (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            text TEXT NOT NULL,
            unit TEXT,                    -- gazetteer id; NULL when ambiguous (see candidates)
            level TEXT,
            name TEXT,
            admin1 TEXT,                  -- ISO 3166-2:KP
            admin2 TEXT,                  -- Hangul key of the city/county/district
            lat REAL,
            lon REAL,
            precision TEXT,
            country TEXT,
            confidence REAL NOT NULL,
            role TEXT NOT NULL,           -- event, source, origin
            how TEXT NOT NULL,
            candidates TEXT NOT NULL DEFAULT '[]',
            gazetteer TEXT NOT NULL,      -- version of the gazetteer that resolved it
            PRIMARY KEY (doc_id, start)
        ) WITHOUT ROWID;
        CREATE INDEX places_admin ON places(admin1, admin2);
        """,
    ),
    (
        3,
        """
        -- What the extractor made of a report (one row per analysed report) and its events
        -- (codebook §4), each with the quote it rests on. A report is analysed again when the
        -- extractor's version changes or on request; its rows are replaced in one transaction.
        CREATE TABLE analyses (
            doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            tone TEXT NOT NULL,
            tone_evidence TEXT NOT NULL DEFAULT '{}',
            extractor TEXT NOT NULL,
            analysed_at TEXT NOT NULL
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            type TEXT NOT NULL,
            modality TEXT NOT NULL,
            actor TEXT,
            target TEXT,
            place TEXT,
            admin1 TEXT,
            admin2 TEXT,
            when_start TEXT,
            when_end TEXT,
            when_precision TEXT,
            count INTEGER,
            penalty_kind TEXT,
            penalty_max_years REAL,
            law_article TEXT,
            law_year INTEGER,
            evidence_start INTEGER NOT NULL,
            evidence_end INTEGER NOT NULL,
            confidence REAL NOT NULL,
            when_source TEXT NOT NULL,
            place_source TEXT NOT NULL,
            trigger TEXT NOT NULL DEFAULT '',
            also TEXT NOT NULL DEFAULT '[]',   -- JSON [[quote, start, end], ...]
            evidence TEXT NOT NULL             -- exact quote of the body
        );
        CREATE INDEX events_doc ON events(doc_id);
        CREATE INDEX events_type ON events(type, modality);
        CREATE INDEX events_admin1 ON events(admin1);
        CREATE INDEX events_when ON events(when_start);
        """,
    ),
    (
        4,
        """
        -- Where an event's place is on the map: the mention's own point, else the county's
        -- seat, else the province's capital; geo_precision says which (point, county,
        -- province). Filled when a report is analysed (again).
        ALTER TABLE events ADD COLUMN lat REAL;
        ALTER TABLE events ADD COLUMN lon REAL;
        ALTER TABLE events ADD COLUMN geo_precision TEXT;
        """,
    ),
    (
        5,
        """
        -- A reviewer's word on a machine-extracted event: accepted, corrected or rejected.
        -- Kept beside the machine's values (corrections hold only the fields the reviewer
        -- changed), and keyed by what identifies the event across re-analysis (the report,
        -- the evidence span and the machine's type) rather than by the event's row id, so a
        -- report analysed again keeps its reviews.
        CREATE TABLE reviews (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            evidence_start INTEGER NOT NULL,
            evidence_end INTEGER NOT NULL,
            type TEXT NOT NULL,
            status TEXT NOT NULL,                 -- accepted, corrected, rejected
            corrections TEXT NOT NULL DEFAULT '{}',  -- JSON {field: reviewer's value}
            note TEXT,
            reviewer TEXT NOT NULL,
            reviewed_at TEXT NOT NULL,
            PRIMARY KEY (doc_id, evidence_start, evidence_end, type)
        ) WITHOUT ROWID;
        CREATE INDEX reviews_status ON reviews(status);

        -- Every change a reviewer made: who, when, what (the review before and after).
        -- Append-only: nothing updates or deletes its rows.
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            action TEXT NOT NULL,
            event_id INTEGER,
            doc_id INTEGER,
            evidence_start INTEGER,
            evidence_end INTEGER,
            type TEXT,
            before TEXT NOT NULL DEFAULT 'null',  -- JSON review before
            after TEXT NOT NULL DEFAULT 'null'    -- JSON review after
        );
        CREATE INDEX audit_log_event ON audit_log(doc_id, evidence_start);

        -- Access tokens for writing (review, ingest) and for remote use; only a hash is kept.
        CREATE TABLE tokens (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        );
        """,
    ),
    (
        6,
        """
        -- Korean search (nkwatch.store.hangul): the Hangul of a report's title and body as
        -- syllable bigrams, indexed beside them; NULL for a report without Hangul. Existing
        -- reports are filled after this migration (Store._backfill).
        ALTER TABLE documents ADD COLUMN grams TEXT;

        DROP TRIGGER documents_fts_insert;
        DROP TRIGGER documents_fts_delete;
        DROP TRIGGER documents_fts_update;
        DROP TABLE documents_fts;
        CREATE VIRTUAL TABLE documents_fts USING fts5(
            title, body, grams,
            content='documents', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts(rowid, title, body, grams)
                VALUES (new.id, new.title, new.body, new.grams);
        END;
        CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, body, grams)
                VALUES ('delete', old.id, old.title, old.body, old.grams);
        END;
        CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, body, grams ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, body, grams)
                VALUES ('delete', old.id, old.title, old.body, old.grams);
            INSERT INTO documents_fts(rowid, title, body, grams)
                VALUES (new.id, new.title, new.body, new.grams);
        END;
        INSERT INTO documents_fts(documents_fts) VALUES ('rebuild');
        """,
    ),
    (
        7,
        """
        -- The same report in another language (an English report and its Korean original),
        -- kept both ways: score 1 when a page links the other, else the agreement of their
        -- language-independent content (nkwatch.translations); reasons as a JSON list.
        CREATE TABLE translations (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            other_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            score REAL NOT NULL,
            reasons TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (doc_id, other_id)
        ) WITHOUT ROWID;
        CREATE INDEX translations_other ON translations(other_id);
        """,
    ),
    (
        8,
        """
        -- Private persons named in a report (nkwatch.privacy): JSON {"body": [[start, end],
        -- ...], "title": [...]}, NULL when it names none. What the store returns shows
        -- [private person] there unless names are shown (logged in audit_log). Existing
        -- reports are filled after this migration (Store._backfill).
        ALTER TABLE documents ADD COLUMN persons TEXT;
        """,
    ),
    (
        9,
        """
        -- One real event told by several reports: an incident groups their events (keyed,
        -- like reviews, by report, evidence span and type, so re-analysis keeps them).
        -- score and why say how an event matched the incident when it was linked; a reviewer's
        -- split or merge pins the events it moves and locks the incidents it touches, and the
        -- linker leaves them as the reviewer left them.
        CREATE TABLE incidents (
            id INTEGER PRIMARY KEY,
            type TEXT NOT NULL,
            locked INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE TABLE incident_events (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            evidence_start INTEGER NOT NULL,
            evidence_end INTEGER NOT NULL,
            type TEXT NOT NULL,
            incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
            score REAL NOT NULL,
            why TEXT NOT NULL DEFAULT '[]',
            pinned INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (doc_id, evidence_start, evidence_end, type)
        ) WITHOUT ROWID;
        CREATE INDEX incident_events_incident ON incident_events(incident_id);
        CREATE INDEX events_link ON events(type, admin1, when_start);

        -- A campaign: incidents a reviewer groups (a directive and the meetings, sweeps,
        -- arrests and sentences that follow it).
        CREATE TABLE campaigns (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            note TEXT,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE campaign_incidents (
            campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
            incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
            PRIMARY KEY (campaign_id, incident_id)
        ) WITHOUT ROWID;
        """,
    ),
    (
        10,
        """
        -- New reports are indexed by the store at the end of each batch, in one statement
        -- (SQLiteStore._index_documents), not by a trigger per row: a trigger's statement
        -- savepoint made FTS5 flush its pending index at every report, writing a segment
        -- per report and merging them again, which cost about 150 µs of the 700 µs that
        -- storing a report took. Deletes and edits still reach the index by trigger.
        DROP TRIGGER documents_fts_insert;
        -- Merge index segments 8 at a time, not 4: half the rewriting as the index grows
        -- (about 6% of the time to store a report at 40,000 reports), for a few more
        -- segments for a query to read.
        INSERT INTO documents_fts(documents_fts, rank) VALUES ('automerge', 8);

        -- Near-duplicate signatures now hash words with array arithmetic (store.neardup), and
        -- band keys with it: every report is signed again after this migration
        -- (Store._backfill), its old band keys replaced.

        -- A report's raw text (and its text before cleaning) is now compressed with its body as
        -- zlib's dictionary (store.base._pack): a tenth of the size. So a body may change only
        -- with the raw text re-packed beside it; a changed report is a new revision anyway.
        CREATE TRIGGER documents_body_fixed BEFORE UPDATE OF body ON documents
            WHEN new.body IS NOT old.body
                AND (new.raw IS old.raw OR (old.text IS NOT NULL AND new.text IS old.text))
        BEGIN
            SELECT RAISE(ABORT, 'a body never changes alone: re-pack the raw text with it');
        END;
        """,
    ),
    (
        11,
        """
        -- The web app's report lists and counts (latest revisions only, newest first) read an
        -- index of the current reports instead of the whole table: at 100,000 reports a page
        -- of the newest took 47 ms, the count 39 ms and the outlets 147 ms; now under 1, 6
        -- and 11 ms. They replace the indexes of every revision's date and outlet, which no
        -- query used (outlets are compared lower-cased; a date range with every revision is
        -- rare), so that storing a report writes no more index entries than before. A report
        -- named by URL is found by an index too (it was a table scan).
        DROP INDEX documents_published;
        DROP INDEX documents_outlet;
        CREATE INDEX documents_current ON documents(published DESC, id DESC)
            WHERE superseded_by IS NULL;
        CREATE INDEX documents_current_outlet ON documents(outlet) WHERE superseded_by IS NULL;
        CREATE INDEX documents_url ON documents(url) WHERE url IS NOT NULL;
        """,
    ),
    (
        12,
        """
        -- How many changes were made to what a long-running reader keeps of the events in
        -- memory (store.event_index): 'events' counts changes to events, to the reports they
        -- belong to (revision, outlet, date) and to analyses (tone); 'reviews' to reviews. A
        -- reader whose events count is unchanged takes a review in by reading the reviews
        -- again (milliseconds) instead of every event (seconds at 500,000). Reports stored by
        -- ingest count nothing: they have no events yet.
        CREATE TABLE change_counts (
            kind TEXT PRIMARY KEY,
            n INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO change_counts (kind, n) VALUES ('events', 0), ('reviews', 0);
        CREATE TRIGGER change_events_insert AFTER INSERT ON events BEGIN
            UPDATE change_counts SET n = n + 1 WHERE kind = 'events';
        END;
        CREATE TRIGGER change_events_update AFTER UPDATE ON events BEGIN
            UPDATE change_counts SET n = n + 1 WHERE kind = 'events';
        END;
        CREATE TRIGGER change_events_delete AFTER DELETE ON events BEGIN
            UPDATE change_counts SET n = n + 1 WHERE kind = 'events';
        END;
        CREATE TRIGGER change_documents_update
            AFTER UPDATE OF superseded_by, outlet, published ON documents BEGIN
            UPDATE change_counts SET n = n + 1 WHERE kind = 'events';
        END;
        CREATE TRIGGER change_documents_delete AFTER DELETE ON documents BEGIN
            UPDATE change_counts SET n = n + 1 WHERE kind = 'events';
        END;
        CREATE TRIGGER change_analyses_insert AFTER INSERT ON analyses BEGIN
            UPDATE change_counts SET n = n + 1 WHERE kind = 'events';
        END;
        CREATE TRIGGER change_analyses_update AFTER UPDATE ON analyses BEGIN
            UPDATE change_counts SET n = n + 1 WHERE kind = 'events';
        END;
        CREATE TRIGGER change_analyses_delete AFTER DELETE ON analyses BEGIN
            UPDATE change_counts SET n = n + 1 WHERE kind = 'events';
        END;
        CREATE TRIGGER change_reviews_insert AFTER INSERT ON reviews BEGIN
            UPDATE change_counts SET n = n + 1 WHERE kind = 'reviews';
        END;
        CREATE TRIGGER change_reviews_update AFTER UPDATE ON reviews BEGIN
            UPDATE change_counts SET n = n + 1 WHERE kind = 'reviews';
        END;
        CREATE TRIGGER change_reviews_delete AFTER DELETE ON reviews BEGIN
            UPDATE change_counts SET n = n + 1 WHERE kind = 'reviews';
        END;
        """,
    ),
]

LATEST_VERSION = MIGRATIONS[-1][0]
