import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  // Each concern keeps its tables in its own schema.ts; one migration history for all of them.
  schema: './gateway/**/schema.ts',
  out: './gateway/store/migrations',
});
