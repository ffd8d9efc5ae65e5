import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { demoServer, packageAliases, relayOnDevServer } from '../vite-demo.js';

// npm run demo:angular
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  cacheDir: demoServer.angular.cacheDir,
  server: { port: demoServer.angular.port },
  resolve: { alias: packageAliases },
  plugins: [relayOnDevServer()],
});
