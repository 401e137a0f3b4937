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

-- One campaign of every other kind, each with its page on the demo site.
INSERT INTO campaigns (id, organisation_id, slug, title, description, currency,
                       preset_amounts, min_amount, max_amount, goal_amount, created_at, kind,
                       settings)
VALUES (3, 1, 'adhesion-2026', 'Adhésion 2026',
        'Adhérer, c''est soutenir le jardin toute l''année et voter à l''assemblée générale.',
        'EUR', '[]', 100, 100000, NULL, unixepoch(), 'membership',
        '{"items":[{"key":"plein","label":"Plein tarif","price":2500},
                   {"key":"reduit","label":"Tarif réduit (étudiants, demandeurs d''emploi)","price":1000},
                   {"key":"famille","label":"Famille","price":4000},
                   {"key":"bienfaiteur","label":"Membre bienfaiteur","price":5000,"open_price":true}],
          "validity":{"type":"calendar_year"},"reminder_days":[-30,7],
          "questions":[{"key":"parcelle","label":"Souhaitez-vous une parcelle ?","kind":"yes_no"},
                       {"key":"competences","label":"Ce que vous aimeriez partager (bricolage, semis…)","kind":"long_text"}]}'),
       (4, 1, 'fete-des-semis', 'La fête des semis',
        'Samedi 18 avril, de 14 h à 19 h : troc de graines, ateliers et goûter. 50 places.',
        'EUR', '[]', 100, 100000, NULL, unixepoch(), 'event',
        '{"capacity":50,"show_remaining":true,
          "items":[{"key":"plein","label":"Plein tarif","price":800,"per_order":6},
                   {"key":"reduit","label":"Tarif réduit","price":400,"per_order":6},
                   {"key":"enfant","label":"Enfant (moins de 12 ans)","price":0,"per_order":4}],
          "questions":[{"key":"atelier","label":"Atelier préféré","kind":"choice",
                        "choices":["Semis","Compost","Cuisine du jardin"]}],
          "promo_codes":[{"code":"BENEVOLE","percent_off":100,"limit":10}]}'),
       (5, 1, 'serre-solidaire', 'Une serre solidaire',
        'Une serre de 30 m² pour les semis de printemps, partagée avec l''école voisine.',
        'EUR', '[1500, 3000, 6000]', 500, 500000, 400000, unixepoch(), 'crowdfunding',
        '{"closes_at":1814399999,
          "items":[{"key":"carte","label":"Une carte postale du jardin","price":1500},
                   {"key":"sachet","label":"Un sachet de graines de nos récoltes","price":3000},
                   {"key":"atelier","label":"Une place à l''atelier de rempotage","price":6000,"quota":20}]}')
ON CONFLICT DO NOTHING;

-- The garden's donations may be monthly, and donors may cover the payment fees.
UPDATE campaigns
SET settings = '{"monthly":true,"tax_receipt":true,"fee":{"basis_points":150,"fixed":25}}'
WHERE id = 1 AND settings = '{}';

INSERT INTO campaign_origins (campaign_id, origin)
SELECT id, '{{SITE_ORIGIN}}' FROM campaigns WHERE organisation_id = 1
UNION ALL
SELECT id, replace('{{SITE_ORIGIN}}', '127.0.0.1', 'localhost') FROM campaigns WHERE organisation_id = 1
ON CONFLICT DO NOTHING;
