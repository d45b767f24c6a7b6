ALTER TABLE "issuance_requests" ADD COLUMN "claim_id" text;--> statement-breakpoint
ALTER TABLE "issuance_requests" ADD COLUMN "claimed_by" text;--> statement-breakpoint
ALTER TABLE "issuance_requests" ADD COLUMN "issue_options" jsonb;--> statement-breakpoint
ALTER TABLE "issuance_requests" ADD COLUMN "entry_id" text;
