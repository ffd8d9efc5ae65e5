import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { packageAliases, relayOnDevServer } from '../vite-demo.js';

// npm run demo:react
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { alias: packageAliases },
  plugins: [relayOnDevServer()],
});
