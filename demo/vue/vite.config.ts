import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { demoServer, packageAliases, relayOnDevServer } from '../vite-demo.js';

// npm run demo:vue
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  cacheDir: demoServer.vue.cacheDir,
  server: { port: demoServer.vue.port },
  resolve: { alias: packageAliases },
  plugins: [
    // Vue's compiler must leave the elements to the browser.
    vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'message-center-provider' || tag.startsWith('ws-') } } }),
    relayOnDevServer(),
  ],
});
