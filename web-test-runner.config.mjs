import { chromeLauncher } from '@web/test-runner';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { relayPlugin } from './test/support/relay-plugin.ts';

// Runs under `node --import tsx` (see package.json) so the relay plugin and the
// relay itself load from TypeScript source.
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'development'] },
  // One page at a time: a second page in the same headless window gets no
  // animation frames, which stalls anything that waits for one.
  concurrency: 1,
  testFramework: {
    config: { timeout: 20000 },
  },
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: chromium,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--disable-quic',
          // Test pages run side by side; none may be throttled as a background tab.
          '--disable-renderer-backgrounding',
          '--disable-backgrounding-occluded-windows',
          '--disable-background-timer-throttling',
        ],
      },
    }),
  ],
  plugins: [esbuildPlugin({ ts: true, tsconfig: './tsconfig.json', target: 'es2022' }), relayPlugin()],
};
