CREATE TABLE "audit_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "book_counters" (
	"unit_id" text NOT NULL,
	"year" integer NOT NULL,
	"kind" text NOT NULL,
	"last" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "book_counters_unit_id_year_kind_pk" PRIMARY KEY("unit_id","year","kind")
);
--> statement-breakpoint
CREATE TABLE "document_comments" (
	"id" text PRIMARY KEY NOT NULL,
	"document_id" text NOT NULL,
	"actor" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" text PRIMARY KEY NOT NULL,
	"unit_id" text NOT NULL,
	"inbound_id" text,
	"internet_message_id" text,
	"status" text NOT NULL,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"book_year" integer,
	"book_number" integer,
	"arrival_at" timestamp with time zone NOT NULL,
	"registered_at" timestamp with time zone,
	"notation" text,
	"issuer" text,
	"issued_date" text,
	"type_code" text,
	"type_name" text,
	"subject" text,
	"urgency" text DEFAULT 'normal' NOT NULL,
	"secrecy" text DEFAULT 'normal' NOT NULL,
	"signer" text,
	"sender_address" text,
	"via_edxml" boolean DEFAULT false NOT NULL,
	"confidence_pct" integer,
	"verdict" text,
	"department" text,
	"assignee_id" text,
	"routing" jsonb,
	"due_date" text,
	"due_source" text,
	"handling_notes" text,
	"remarks" text,
	"linked_to" text,
	"dedup_key" text,
	"attachment_hashes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"search_text" text DEFAULT '' NOT NULL,
	"followup_pending" boolean DEFAULT false NOT NULL,
	"done_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbound_mail" (
	"key" text PRIMARY KEY NOT NULL,
	"recipients" jsonb NOT NULL,
	"subject" text NOT NULL,
	"message_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "outgoing_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"unit_id" text NOT NULL,
	"year" integer NOT NULL,
	"number" integer NOT NULL,
	"notation" text NOT NULL,
	"issued_date" text NOT NULL,
	"type_code" text,
	"type_name" text,
	"subject" text,
	"signer" text,
	"recipients" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"keeping_unit" text,
	"copies" integer,
	"remarks" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"unit_id" text NOT NULL,
	"role" text NOT NULL,
	"department" text,
	"password_hash" text,
	"source" text DEFAULT 'local' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
ALTER TABLE "document_comments" ADD CONSTRAINT "document_comments_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_inbound_id_inbound_messages_id_fk" FOREIGN KEY ("inbound_id") REFERENCES "public"."inbound_messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_entity" ON "audit_log" USING btree ("entity","entity_id");--> statement-breakpoint
CREATE INDEX "document_comments_doc" ON "document_comments" USING btree ("document_id");--> statement-breakpoint
CREATE UNIQUE INDEX "documents_book_number" ON "documents" USING btree ("unit_id","book_year","book_number");--> statement-breakpoint
CREATE UNIQUE INDEX "documents_inbound_unit" ON "documents" USING btree ("inbound_id","unit_id");--> statement-breakpoint
CREATE INDEX "documents_unit_status" ON "documents" USING btree ("unit_id","status");--> statement-breakpoint
CREATE INDEX "documents_assignee" ON "documents" USING btree ("assignee_id");--> statement-breakpoint
CREATE INDEX "documents_mid" ON "documents" USING btree ("internet_message_id");--> statement-breakpoint
CREATE INDEX "documents_dedup" ON "documents" USING btree ("unit_id","dedup_key");--> statement-breakpoint
CREATE INDEX "documents_followup" ON "documents" USING btree ("followup_pending") WHERE "documents"."followup_pending";--> statement-breakpoint
CREATE UNIQUE INDEX "outgoing_book_number" ON "outgoing_entries" USING btree ("unit_id","year","number");--> statement-breakpoint
CREATE INDEX "sessions_user" ON "sessions" USING btree ("user_id");