import { defineConfig } from 'vite';

// Relative asset URLs, so the built files work wherever the registry mounts them (/console/).
export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, reportCompressedSize: false },
});
