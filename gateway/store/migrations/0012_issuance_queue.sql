CREATE TABLE "issuance_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"unit_id" text NOT NULL,
	"state" text NOT NULL,
	"submitter_id" text,
	"submitted_by" text NOT NULL,
	"submitter_name" text,
	"subject" text NOT NULL,
	"type_code" text,
	"type_name" text,
	"signer" text,
	"body" text,
	"note" text,
	"recipients" jsonb NOT NULL,
	"files" jsonb NOT NULL,
	"unsigned" text,
	"outgoing_id" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"return_reason" text,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "issuance_requests_unit_state" ON "issuance_requests" USING btree ("unit_id","state");--> statement-breakpoint
CREATE INDEX "issuance_requests_submitter" ON "issuance_requests" USING btree ("submitter_id","created_at");
