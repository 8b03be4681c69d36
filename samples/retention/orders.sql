-- Sample orders database of ParcelPilot (Fennel & Finch Commerce Ltd, fictional), as of 2026-09-30.
-- orders.db next to this file is built from it: sqlite3 orders.db < orders.sql
-- (tests/collectors/test_pii_age.py checks that the two agree).
--
-- 1,076 orders delivered 2025-04-10 .. 2026-09-30, two a day. The weekly purge job redacts buyer
-- PII 23 days after delivery, so at the end of Q3 2026 only orders delivered from 2026-09-04 03:00
-- should still hold PII. Deliberate faults, for the demo attestation:
--   * orders that came in through the legacy CSV import keep ship_phone, which the purge job
--     does not clear (6 orders delivered in July and August 2026): a PII retention violation;
--   * 2 orders delivered on 2026-05-12 are under legal hold (a VAT enquiry) and keep their PII:
--     reported as held, not as violations.
-- The oldest order is 538 days old, inside the 18-month (548-day) limit for non-PII data.
-- Orders ship two days before delivery (shipped_at; returns copy it as order_shipped_at), so the
-- age of PII can be measured from shipment, the clock of the Solution Provider Profile's
-- retention question, as well as from delivery, the DPP's.
-- Every name, address, e-mail and phone number is invented (example.com, Ofcom drama numbers).

CREATE TABLE orders (
  order_id TEXT PRIMARY KEY,
  marketplace TEXT NOT NULL,
  channel TEXT NOT NULL,
  purchased_at TEXT NOT NULL,
  shipped_at TEXT NOT NULL,
  delivered_at TEXT NOT NULL,
  order_total_cents INTEGER NOT NULL,
  currency TEXT NOT NULL,
  buyer_name TEXT,
  buyer_email TEXT,
  ship_address_line1 TEXT,
  ship_city TEXT,
  ship_postal_code TEXT,
  ship_phone TEXT,
  legal_hold INTEGER NOT NULL DEFAULT 0,
  legal_hold_reason TEXT
);
CREATE INDEX orders_delivered_at ON orders (delivered_at);
CREATE INDEX orders_shipped_at ON orders (shipped_at);

CREATE TABLE returns (
  return_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders (order_id),
  order_shipped_at TEXT NOT NULL,
  order_delivered_at TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  reason TEXT NOT NULL,
  return_name TEXT,
  return_address TEXT
);
CREATE INDEX returns_order_delivered_at ON returns (order_delivered_at);
CREATE INDEX returns_order_shipped_at ON returns (order_shipped_at);

INSERT INTO orders
WITH RECURSIVE
  seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < 1075),
  base AS (
    SELECT n,
           julianday('2025-04-10 08:00:00') + n * 0.5 + (n * 37 % 11) / 24.0 AS jd,
           CASE WHEN n % 13 = 0 AND julianday('2025-04-10 08:00:00') + n * 0.5
                     BETWEEN julianday('2026-07-14') AND julianday('2026-08-21')
                THEN 'legacy-import' ELSE 'sp-api' END AS channel,
           CASE WHEN n IN (794, 795) THEN 1 ELSE 0 END AS held
    FROM seq
  ),
  stamped AS (
    SELECT *, strftime('%Y-%m-%dT%H:%M:%SZ', jd) AS delivered,
           jd >= julianday('2026-09-04 03:00:00') OR held = 1 AS keeps_pii
    FROM base
  )
SELECT printf('206-%07d-%07d', 4100000 + n * 7, 5300000 + n * 13),
       CASE n % 3 WHEN 0 THEN 'amazon.co.uk' WHEN 1 THEN 'amazon.de' ELSE 'amazon.fr' END,
       channel,
       strftime('%Y-%m-%dT%H:%M:%SZ', jd - 3),
       strftime('%Y-%m-%dT%H:%M:%SZ', jd - 2),
       delivered,
       1299 + (n * 739) % 8800,
       CASE n % 3 WHEN 0 THEN 'GBP' ELSE 'EUR' END,
       CASE WHEN keeps_pii THEN
         (SELECT first FROM (SELECT 0 k, 'Ada' first UNION ALL SELECT 1, 'Bram' UNION ALL SELECT 2, 'Chiara'
            UNION ALL SELECT 3, 'Dmitri' UNION ALL SELECT 4, 'Efua' UNION ALL SELECT 5, 'Finn') WHERE k = n % 6)
         || ' ' ||
         (SELECT last FROM (SELECT 0 k, 'Example' last UNION ALL SELECT 1, 'Sample' UNION ALL SELECT 2, 'Testperson'
            UNION ALL SELECT 3, 'Placeholder' UNION ALL SELECT 4, 'Fictional') WHERE k = n % 5)
       END,
       CASE WHEN keeps_pii THEN printf('buyer%04d@example.com', n) END,
       CASE WHEN keeps_pii THEN printf('%d Example Road', 1 + n % 97) END,
       CASE WHEN keeps_pii THEN CASE n % 3 WHEN 0 THEN 'Exampleton' WHEN 1 THEN 'Musterstadt' ELSE 'Villexemple' END END,
       CASE WHEN keeps_pii THEN printf('EX%d %dZZ', 1 + n % 9, n % 10) END,
       CASE WHEN keeps_pii OR channel = 'legacy-import' THEN printf('+44 20 7946 0%03d', n % 1000) END,
       held,
       CASE WHEN held = 1 THEN 'VAT enquiry: records kept under VATA 1994 Sch. 11 para 6 until the enquiry closes' END
FROM stamped;

INSERT INTO returns
SELECT printf('RET-%05d', rowid),
       order_id,
       shipped_at,
       delivered_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', julianday(delivered_at) + 5),
       CASE rowid % 4 WHEN 0 THEN 'damaged' WHEN 1 THEN 'wrong size' WHEN 2 THEN 'not as described' ELSE 'changed mind' END,
       CASE WHEN delivered_at >= '2026-09-04T03:00:00Z' THEN buyer_name END,
       CASE WHEN delivered_at >= '2026-09-04T03:00:00Z' THEN ship_address_line1 || ', ' || ship_city END
FROM orders
WHERE rowid % 9 = 0;
