import { defineConfig } from 'vitest/config';

/** Component tests of the admin UI, in happy-dom (`npx vitest run --config ui/vitest.config.ts`). */
export default defineConfig({
  root: import.meta.dirname,
  test: { include: ['src/**/*.test.tsx'], environment: 'happy-dom' },
});
