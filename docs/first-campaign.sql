-- Your association and its first campaign. Copy this file, fill in the values marked ←, and
-- run it with: cargo xtask wrangler d1 execute DB --remote --file my-campaign.sql
-- Amounts are in cents (2000 = 20 €).

INSERT INTO organisations (slug, name, created_at)
VALUES ('mon-association',                 -- ← a short name: lower-case letters, digits, hyphens
        'Mon Association',                 -- ← the name donors see
        unixepoch());

INSERT INTO campaigns (organisation_id, slug, title, description, currency,
                       preset_amounts, min_amount, max_amount, goal_amount, created_at)
VALUES ((SELECT id FROM organisations WHERE slug = 'mon-association'),
        'ma-campagne-2026',                -- ← the campaign's slug, used in the snippet
        'Le titre de la campagne',         -- ← its title
        'Une ou deux phrases sur ce que financent les dons.',
        'EUR',
        '[1000, 2000, 5000]',              -- ← the amounts offered as buttons
        100,                               -- ← the smallest donation (1 €)
        1000000,                           -- ← the largest donation online (10 000 €)
        150000,                            -- ← the goal (1 500 €), or NULL for none
        unixepoch());

-- Every site that carries the form: its scheme, host and port (no page path). It is stored the
-- way browsers send it (https://Asso.org/ becomes https://asso.org); something that is not a
-- site's origin, such as https://asso.org/dons, is refused with an error.
INSERT INTO campaign_origins (campaign_id, origin)
SELECT id, 'https://www.mon-association.example'   -- ← your site
FROM campaigns WHERE slug = 'ma-campagne-2026';
