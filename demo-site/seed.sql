-- The demo association and its campaign. Safe to run again: existing rows are kept.
-- {{SITE_ORIGIN}} is the demo site's origin, filled in by the xtask.
INSERT INTO organisations (id, slug, name, created_at)
VALUES (1, 'amis-du-jardin', 'Les Amis du Jardin Partagé', unixepoch())
ON CONFLICT DO NOTHING;

INSERT INTO campaigns (id, organisation_id, slug, title, description, currency,
                       preset_amounts, min_amount, max_amount, goal_amount, created_at)
VALUES (1, 1, 'jardin-2026', 'Un composteur pour le jardin',
        'Un grand composteur partagé et des bacs accessibles à tous.',
        'EUR', '[1000, 2000, 5000]', 100, 1000000, 150000, unixepoch()),
       (2, 1, 'ruches-2026', 'Deux ruches pour la biodiversité',
        'Deux ruches, leurs essaims et une formation pour les bénévoles.',
        'EUR', '[500, 1500, 3000]', 100, 500000, NULL, unixepoch())
ON CONFLICT DO NOTHING;

INSERT INTO campaign_origins (campaign_id, origin)
SELECT id, '{{SITE_ORIGIN}}' FROM campaigns WHERE organisation_id = 1
UNION ALL
SELECT id, replace('{{SITE_ORIGIN}}', '127.0.0.1', 'localhost') FROM campaigns WHERE organisation_id = 1
ON CONFLICT DO NOTHING;
