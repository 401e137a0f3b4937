-- The demo association and its campaign. Safe to run again: existing rows are kept.
-- {{SITE_ORIGIN}} is the demo site's origin, filled in by the xtask.
INSERT INTO organisations (id, slug, name, created_at)
VALUES (1, 'amis-du-jardin', 'Les Amis du Jardin Partagé', unixepoch())
ON CONFLICT DO NOTHING;

INSERT INTO campaigns (id, organisation_id, slug, title, description, currency,
                       preset_amounts, min_amount, max_amount, goal_amount, created_at)
VALUES (1, 1, 'jardin-2026', 'Un composteur pour le jardin',
        'Un grand composteur partagé et des bacs accessibles à tous.',
        'EUR', '[1000, 2000, 5000]', 100, 1000000, 150000, unixepoch())
ON CONFLICT DO NOTHING;

INSERT INTO campaign_origins (campaign_id, origin) VALUES
    (1, '{{SITE_ORIGIN}}'),
    (1, replace('{{SITE_ORIGIN}}', '127.0.0.1', 'localhost'))
ON CONFLICT DO NOTHING;
