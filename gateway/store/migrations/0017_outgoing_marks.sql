ALTER TABLE "outgoing_entries" ADD COLUMN "urgency" text DEFAULT 'normal' NOT NULL;--> statement-breakpoint
ALTER TABLE "outgoing_entries" ADD COLUMN "secrecy" text DEFAULT 'normal' NOT NULL;--> statement-breakpoint
ALTER TABLE "outgoing_messages" ADD COLUMN "urgency" text DEFAULT 'normal' NOT NULL;--> statement-breakpoint
ALTER TABLE "issuance_requests" ADD COLUMN "urgency" text DEFAULT 'normal' NOT NULL;
