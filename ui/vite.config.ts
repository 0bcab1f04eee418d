import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** The admin UI: built into ui/dist and served by the api role at `/` (src/runtime/api/ui-routes.ts). */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
});
