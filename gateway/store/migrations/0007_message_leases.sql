ALTER TABLE "inbound_messages" ADD COLUMN "lease_owner" text;--> statement-breakpoint
ALTER TABLE "inbound_messages" ADD COLUMN "lease_until" timestamp with time zone;
