-- 0022: alerts by email. A delivery is one (alert, user, channel): 'webhook' (the user's outbound
-- webhook, as before) or 'email'. Queued in the statement that raises the alert, sent by the
-- worker (src/modules/alerts/alert-email.ts), each exactly once per alert, channel and user.
ALTER TABLE alert_deliveries ADD COLUMN channel TEXT NOT NULL DEFAULT 'webhook' CHECK (channel IN ('webhook', 'email'));
ALTER TABLE alert_deliveries DROP CONSTRAINT alert_deliveries_pkey;
ALTER TABLE alert_deliveries ADD PRIMARY KEY (alert_id, user_id, channel);
-- The Message-ID a sent mail carried, so that a resend after an unknown outcome is recognisably the same mail.
ALTER TABLE alert_deliveries ADD COLUMN message_id TEXT;

-- Each user chooses whether alerts also come by email (on by default; mail must be configured: SMTP_URL).
ALTER TABLE users ADD COLUMN alert_email BOOLEAN NOT NULL DEFAULT true;
