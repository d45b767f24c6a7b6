CREATE TABLE "issued_files" (
	"id" text PRIMARY KEY NOT NULL,
	"outgoing_id" text NOT NULL,
	"unit_id" text NOT NULL,
	"notation" text NOT NULL,
	"position" integer NOT NULL,
	"filename" text NOT NULL,
	"sha256" text NOT NULL,
	"size" integer NOT NULL,
	"versions" jsonb NOT NULL,
	"renew_before" timestamp with time zone,
	"renew_claim" text,
	"renew_claimed_at" timestamp with time zone,
	"renew_pending" text,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "issued_files" ADD CONSTRAINT "issued_files_outgoing_id_outgoing_messages_id_fk" FOREIGN KEY ("outgoing_id") REFERENCES "public"."outgoing_messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "issued_files_outgoing" ON "issued_files" USING btree ("outgoing_id","position");--> statement-breakpoint
CREATE INDEX "issued_files_renew" ON "issued_files" USING btree ("renew_before") WHERE "issued_files"."renew_before" is not null;
