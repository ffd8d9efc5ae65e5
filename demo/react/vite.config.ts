import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { demoServer, packageAliases, relayOnDevServer } from '../vite-demo.js';

// npm run demo:react
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  cacheDir: demoServer.react.cacheDir,
  server: { port: demoServer.react.port },
  resolve: { alias: packageAliases },
  plugins: [relayOnDevServer()],
});
