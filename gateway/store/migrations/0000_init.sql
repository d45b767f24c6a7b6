CREATE TABLE "inbound_messages" (
	"id" text PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"source" text NOT NULL,
	"message_id" text NOT NULL,
	"content_hash" text NOT NULL,
	"blob_sha256" text NOT NULL,
	"size" integer NOT NULL,
	"mail_from" text,
	"rcpt_to" jsonb NOT NULL,
	"unit_ids" jsonb NOT NULL,
	"remote_ip" text,
	"helo" text,
	"subject" text,
	"from_addr" text,
	"state" text DEFAULT 'accepted' NOT NULL,
	"enqueued_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "message_attachments" (
	"message_id" text NOT NULL,
	"idx" integer NOT NULL,
	"filename" text,
	"content_type" text NOT NULL,
	"disposition" text,
	"content_id" text,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	CONSTRAINT "message_attachments_message_id_idx_pk" PRIMARY KEY("message_id","idx")
);
--> statement-breakpoint
CREATE TABLE "message_stages" (
	"message_id" text NOT NULL,
	"stage" text NOT NULL,
	"status" text NOT NULL,
	"result" jsonb,
	"error" text,
	"attempts" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "message_stages_message_id_stage_pk" PRIMARY KEY("message_id","stage")
);
--> statement-breakpoint
ALTER TABLE "message_attachments" ADD CONSTRAINT "message_attachments_message_id_inbound_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."inbound_messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_stages" ADD CONSTRAINT "message_stages_message_id_inbound_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."inbound_messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_messages_dedup" ON "inbound_messages" USING btree ("message_id","content_hash");--> statement-breakpoint
CREATE INDEX "inbound_messages_outbox" ON "inbound_messages" USING btree ("state","enqueued_at");--> statement-breakpoint
CREATE INDEX "inbound_messages_received" ON "inbound_messages" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "message_attachments_sha" ON "message_attachments" USING btree ("sha256");