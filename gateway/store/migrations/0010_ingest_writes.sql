-- The duplicate check's lookup by attachment hash (gateway/registry/intake/intake.ts unitLookup): jsonb ?| through a GIN index instead of reading the unit's whole book.
-- fastupdate off: with a pending list (never vacuumed in PGlite) the planner prices the index above a scan of the unit's documents.
CREATE INDEX "documents_attachment_hashes" ON "documents" USING gin ("attachment_hashes") WITH (fastupdate = off);--> statement-breakpoint
-- The audit chain's head row exists from the start, so an append is two statements (gateway/registry/audit.ts appendAudits).
INSERT INTO "audit_head" ("id", "seq", "hash") VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000') ON CONFLICT DO NOTHING;
