CREATE TABLE "act_replies" (
	"message_id" text PRIMARY KEY NOT NULL,
	"inbound_id" text NOT NULL,
	"document_id" text,
	"user_id" text,
	"command" text,
	"outcome" text,
	"answer" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "document_results" (
	"document_id" text NOT NULL,
	"inbound_id" text NOT NULL,
	"idx" integer NOT NULL,
	"filename" text,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"actor" text NOT NULL,
	"message_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "document_results_document_id_inbound_id_idx_pk" PRIMARY KEY("document_id","inbound_id","idx")
);
--> statement-breakpoint
CREATE TABLE "deadline_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"document_id" text NOT NULL,
	"user_id" text,
	"requested_due" text NOT NULL,
	"current_due" text,
	"reason" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"message_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "document_results" ADD CONSTRAINT "document_results_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deadline_requests" ADD CONSTRAINT "deadline_requests_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deadline_requests" ADD CONSTRAINT "deadline_requests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "act_replies_document" ON "act_replies" USING btree ("document_id");--> statement-breakpoint
CREATE INDEX "document_results_sha" ON "document_results" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "deadline_requests_document" ON "deadline_requests" USING btree ("document_id","status");
