-- Periodic background work (clean-up of expired sessions and sign-in counters) runs
-- in rounds. Every instance keeps a timer, and each round is claimed here with one
-- conditional UPDATE, so however many instances share the database, one of them does
-- the work each round. A claim that is never finished (the instance died) costs one
-- round: the next is claimed as usual.

CREATE TABLE background_rounds (
    task TEXT PRIMARY KEY,
    -- The earliest time (Unix ms) the next round may be claimed.
    next_run_at BIGINT NOT NULL,
    -- Who claimed the latest round and when, for operators.
    claimed_by TEXT,
    claimed_at BIGINT
);
INSERT INTO background_rounds (task, next_run_at) VALUES ('expiry_cleanup', 0);
