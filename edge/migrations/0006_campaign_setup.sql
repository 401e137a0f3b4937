-- Campaigns set up from the back-office: where each stands, what it collects, and when it was
-- last changed.

-- `open` collects; `closed` shows its total and thanks and collects no more; `archived` is gone
-- from the sites, its payments kept.
ALTER TABLE campaigns ADD COLUMN status TEXT NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'closed', 'archived'));
-- What it collects. Kinds to come (membership, tickets, crowdfunding) keep what they add in
-- `settings`.
ALTER TABLE campaigns ADD COLUMN kind TEXT NOT NULL DEFAULT 'donation'
    CHECK (kind IN ('donation'));
ALTER TABLE campaigns ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'
    CHECK (json_valid(settings));
ALTER TABLE campaigns ADD COLUMN updated_at INTEGER;
