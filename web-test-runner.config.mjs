import { chromeLauncher } from '@web/test-runner';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { frameworkPlugin } from './test/support/framework-plugin.ts';
import { permissionPlugin } from './test/support/permission-plugin.ts';
import { relayPlugin } from './test/support/relay-plugin.ts';

// Runs under `node --import tsx` (see package.json) so the relay plugin and the
// relay itself load from TypeScript source.
const chromium = process.env.CHROME_PATH ?? '/usr/bin/chromium';

export default {
  files: ['test/browser/**/*.test.ts', '!test/browser/react-18.test.ts'],
  groups: [
    {
      // The React test again, on React 18: the page's import map swaps the
      // React 19 build the test server serves for React 18 (see frameworkPlugin).
      name: 'react-18',
      files: 'test/browser/react-18.test.ts',
      testRunnerHtml: (testFramework) =>
        `<!doctype html><html><head><script type="importmap">${JSON.stringify({
          imports: { '/__react/19/': '/__react/18/' },
        })}</script></head><body><script type="module" src="${testFramework}"></script></body></html>`,
    },
  ],
  nodeResolve: { exportConditions: ['browser', 'development'] },
  // One page at a time: a second page in the same headless window gets no
  // animation frames, which stalls anything that waits for one.
  concurrency: 1,
  testFramework: {
    // Above the suites' own deadlines (test/support/wait.ts): a test fails on the outcome it waited for, not on mocha's clock.
    config: { timeout: 60000 },
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
  plugins: [esbuildPlugin({ ts: true, tsconfig: './tsconfig.json', target: 'es2022' }), relayPlugin(), frameworkPlugin(), permissionPlugin()],
};
