ALTER TABLE "inbound_messages" ADD COLUMN "uploaded_by" text;--> statement-breakpoint
ALTER TABLE "inbound_messages" ADD COLUMN "uploaded_unit" text;
