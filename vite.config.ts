import { defineConfig } from 'vite';

// The single-file script bundle: everything inside, registers the elements,
// exposes the API on the `MessageCenter` global. (The ES module build and the
// server are compiled by tsc into the same dist/ folder; see package.json.)
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: 'src/script-tag.ts',
      name: 'MessageCenter',
      formats: ['iife'],
      fileName: () => 'message-center.min.js',
    },
  },
});
