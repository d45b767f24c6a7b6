CREATE TABLE "outgoing_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"outgoing_id" text NOT NULL,
	"recipient" text NOT NULL,
	"recipient_name" text,
	"organ_id" text,
	"state" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"response" text,
	"last_error" text,
	"evidence" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"sent_at" timestamp with time zone,
	"received_at" timestamp with time zone,
	"handled_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outgoing_messages" (
	"id" text PRIMARY KEY NOT NULL,
	"entry_id" text NOT NULL,
	"unit_id" text NOT NULL,
	"notation" text NOT NULL,
	"message_id" text NOT NULL,
	"document_id" text,
	"subject" text NOT NULL,
	"from_address" text NOT NULL,
	"sender_email" text,
	"raw_sha256" text NOT NULL,
	"signing" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "outgoing_deliveries" ADD CONSTRAINT "outgoing_deliveries_outgoing_id_outgoing_messages_id_fk" FOREIGN KEY ("outgoing_id") REFERENCES "public"."outgoing_messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "outgoing_deliveries_rcpt" ON "outgoing_deliveries" USING btree ("outgoing_id","recipient");--> statement-breakpoint
CREATE INDEX "outgoing_deliveries_state" ON "outgoing_deliveries" USING btree ("state");--> statement-breakpoint
CREATE UNIQUE INDEX "outgoing_messages_mid" ON "outgoing_messages" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "outgoing_messages_entry" ON "outgoing_messages" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "outgoing_messages_doc" ON "outgoing_messages" USING btree ("document_id");