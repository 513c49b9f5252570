-- A verification code goes by text message to the phone on record, or, when the practice has configured email
-- (SMTP_URL) and the patient chose it on the page, by email to the address on record. The choice is the patient's
-- input, not a fact about the record, so the page may show it ("We sent a code by email").
alter table otp_challenges add column delivery text not null default 'sms' check (delivery in ('sms', 'email'));
