-- Campaigns for the edge integration tests, one per test that counts money, so that tests
-- running side by side never see each other's totals.
INSERT INTO organisations (id, slug, name, created_at)
VALUES (900, 'tests', 'Association des Tests', unixepoch())
ON CONFLICT DO NOTHING;

INSERT INTO campaigns (id, organisation_id, slug, title, description, currency,
                       preset_amounts, min_amount, max_amount, goal_amount, created_at)
VALUES
    (901, 900, 'test-checkout', 'Checkout', '', 'EUR', '[1000, 2000]', 100, 1000000, NULL, unixepoch()),
    (902, 900, 'test-dedup', 'Deduplication', '', 'EUR', '[2000]', 100, 1000000, NULL, unixepoch()),
    (903, 900, 'test-forged', 'Forged webhooks', '', 'EUR', '[2000]', 100, 1000000, NULL, unixepoch()),
    (904, 900, 'test-inputs', 'Bad inputs', '', 'EUR', '[2000]', 100, 1000000, NULL, unixepoch()),
    (905, 900, 'test-expiry', 'Expiry and cancel', '', 'EUR', '[2000]', 100, 1000000, NULL, unixepoch()),
    (906, 900, 'test-one-order', 'One checkout, one order', '', 'EUR', '[2000]', 100, 1000000, NULL, unixepoch()),
    (907, 900, 'test-burst', 'Card-testing burst', '', 'EUR', '[100]', 100, 1000000, NULL, unixepoch()),
    (908, 900, 'test-limits', 'Daily limit per email', '', 'EUR', '[100]', 100, 1000000, NULL, unixepoch()),
    (909, 900, 'test-limit-a', 'Hourly limit per address, A', '', 'EUR', '[100]', 100, 1000000, NULL, unixepoch()),
    (910, 900, 'test-limit-b', 'Hourly limit per address, B', '', 'EUR', '[100]', 100, 1000000, NULL, unixepoch()),
    (911, 900, 'test-limit-c', 'Hourly limit per address, C', '', 'EUR', '[100]', 100, 1000000, NULL, unixepoch()),
    (912, 900, 'test-limit-d', 'Hourly limit per address, D', '', 'EUR', '[100]', 100, 1000000, NULL, unixepoch()),
    (913, 900, 'test-double', 'Double submit', '', 'EUR', '[2500]', 100, 1000000, NULL, unixepoch()),
    (914, 900, 'test-bodies', 'Large bodies', '', 'EUR', '[2000]', 100, 1000000, NULL, unixepoch()),
    (915, 900, 'test-refunds', 'Refunds and disputes', '', 'EUR', '[2000]', 100, 1000000, NULL, unixepoch()),
    (916, 900, 'test-sweep', 'The sweep', '', 'EUR', '[2000]', 100, 1000000, NULL, unixepoch()),
    (917, 900, 'test-faults', 'A failing PSP', '', 'EUR', '[2000]', 100, 1000000, NULL, unixepoch()),
    (918, 900, 'test-mail', 'Le kiosque à musique', '', 'EUR', '[2550]', 100, 1000000, NULL, unixepoch()),
    (919, 900, 'test-hand', 'Payments by hand', '', 'EUR', '[2000]', 100, 1000000, NULL, unixepoch()),
    (920, 900, 'test-export', '=Export; "quoted"', '', 'EUR', '[2000]', 100, 1000000, NULL, unixepoch()),
    (921, 900, 'test-bulk', 'Twenty thousand payments', '', 'EUR', '[2000]', 100, 1000000, NULL, unixepoch()),
    (922, 900, 'test-admin-refund', 'Refunds from the back-office', '', 'EUR', '[2000]', 100, 1000000, NULL, unixepoch()),
    (923, 900, 'test-gdpr', 'A donor''s rights', '', 'EUR', '[2000]', 100, 1000000, NULL, unixepoch())
ON CONFLICT DO NOTHING;

INSERT INTO campaign_origins (campaign_id, origin)
SELECT id, '{{SITE_ORIGIN}}' FROM campaigns WHERE organisation_id = 900
ON CONFLICT DO NOTHING;

-- Every kind of collection, one campaign per test that counts seats, members or money.
INSERT INTO campaigns (id, organisation_id, slug, title, description, currency,
                       preset_amounts, min_amount, max_amount, goal_amount, created_at, kind,
                       settings)
VALUES
    (930, 900, 'test-rush', 'The ticket rush', '', 'EUR', '[]', 100, 1000000, NULL,
     unixepoch(), 'event',
     '{"capacity":50,"items":[{"key":"plein","label":"Plein tarif","price":1000,"per_order":4}]}'),
    (931, 900, 'test-event', 'Le bal des semis', '', 'EUR', '[]', 100, 1000000, NULL,
     unixepoch(), 'event',
     '{"capacity":20,"show_remaining":true,"items":[
        {"key":"plein","label":"Plein tarif","price":1200,"quota":10,"per_order":6},
        {"key":"reduit","label":"Tarif réduit","price":600,"per_order":6},
        {"key":"gratuit","label":"Enfant","price":0,"per_order":2}],
       "questions":[{"key":"allergies","label":"Allergies","kind":"text"}],
       "promo_codes":[{"code":"BENEVOLE","percent_off":50,"limit":1},
                      {"code":"OFFERT","percent_off":100}]}'),
    (932, 900, 'test-membership', 'Adhésion des tests', '', 'EUR', '[]', 100, 1000000, NULL,
     unixepoch(), 'membership',
     '{"items":[{"key":"plein","label":"Plein tarif","price":2500},
                {"key":"bienfaiteur","label":"Bienfaiteur","price":5000,"open_price":true}],
       "validity":{"type":"rolling_months","months":12},"reminder_days":[-30,7],
       "questions":[{"key":"taille","label":"Taille de t-shirt","kind":"choice","required":true,
                     "choices":["S","M","L"]}]}'),
    (933, 900, 'test-monthly', 'Dons mensuels', '', 'EUR', '[1000, 2000]', 100, 1000000, NULL,
     unixepoch(), 'donation',
     '{"monthly":true,"tax_receipt":true,"fee":{"basis_points":150,"fixed":25}}'),
    (934, 900, 'test-crowd', 'La serre des tests', '', 'EUR', '[2000, 5000]', 100, 1000000,
     100000, unixepoch(), 'crowdfunding',
     '{"closes_at":2000000000,"items":[
        {"key":"carte","label":"Une carte postale","price":1000},
        {"key":"sac","label":"Un sac en toile","price":3000,"quota":2}]}'),
    (935, 900, 'test-reminders', 'Adhésion des rappels', '', 'EUR', '[]', 100, 1000000, NULL,
     unixepoch(), 'membership',
     '{"items":[{"key":"plein","label":"Plein tarif","price":2500}],
       "validity":{"type":"rolling_months","months":2},"reminder_days":[-30,7]}'),
    (936, 900, 'test-checkin', 'La soirée des tests', '', 'EUR', '[]', 100, 1000000, NULL,
     unixepoch(), 'event',
     '{"items":[{"key":"plein","label":"Plein tarif","price":800,"per_order":4}]}')
ON CONFLICT DO NOTHING;

INSERT INTO campaign_origins (campaign_id, origin)
SELECT id, '{{SITE_ORIGIN}}' FROM campaigns WHERE id BETWEEN 930 AND 939
ON CONFLICT DO NOTHING;
