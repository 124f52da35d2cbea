import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run build` (web/build.ts) drives this; `npx vite web` serves the UI with hot reload,
// proxying the API to the product at :3000 (npm start).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: {
      output: {
        // React and TanStack Query change rarely: their own long-cached chunk.
        manualChunks: (id) => (/node_modules\/(react|react-dom|scheduler|@tanstack)\//.test(id) ? 'vendor' : undefined),
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
