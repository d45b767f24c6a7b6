CREATE TABLE "message_ocr" (
	"message_id" text NOT NULL,
	"idx" integer NOT NULL,
	"sha256" text NOT NULL,
	"kind" text NOT NULL,
	"pages" jsonb,
	"status" text DEFAULT 'pending' NOT NULL,
	"pages_done" integer DEFAULT 0 NOT NULL,
	"pages_total" integer DEFAULT 0 NOT NULL,
	"text" text,
	"confidence" integer,
	"result" jsonb,
	"engine" text,
	"error_code" text,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "message_ocr_message_id_idx_pk" PRIMARY KEY("message_id","idx")
);
--> statement-breakpoint
ALTER TABLE "message_ocr" ADD CONSTRAINT "message_ocr_message_id_inbound_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."inbound_messages"("id") ON DELETE cascade ON UPDATE no action;
