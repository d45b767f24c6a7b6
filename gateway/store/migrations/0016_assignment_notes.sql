ALTER TABLE "documents" ADD COLUMN "assignment_note" text;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "due_reason" text;
