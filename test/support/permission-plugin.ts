import type { TestRunnerPlugin } from '@web/test-runner';
import type { ChromeLauncher } from '@web/test-runner-chrome';

/** What a test can make the browser answer for the notifications permission. */
export type NotificationPermissionSetting = 'granted' | 'denied' | 'default';

/**
 * A server command that sets the test page's notifications permission
 * through the browser itself (Chromium's permission overrides over CDP), so
 * the panel meets `Notification.permission` as a person's browser would
 * report it: `granted`, `denied`, or `default` (not decided; overrides
 * cleared).
 */
export function permissionPlugin(): TestRunnerPlugin {
  return {
    name: 'notification-permission',
    async executeCommand({ command, payload, session }) {
      if (command !== 'notification-permission') return undefined;
      const setting = (payload as { setting?: NotificationPermissionSetting } | undefined)?.setting;
      if (setting !== 'granted' && setting !== 'denied' && setting !== 'default') {
        throw new TypeError(`notification-permission: setting must be granted, denied or default, got ${String(setting)}`);
      }
      if (session.browser.type !== 'puppeteer') throw new Error(`notification-permission needs Chromium through puppeteer, not ${session.browser.type}`);
      const page = (session.browser as ChromeLauncher).getPage(session.id);
      const context = page.browserContext();
      const origin = new URL(page.url()).origin;
      await context.clearPermissionOverrides();
      // Granting none of the listed permissions denies the rest.
      if (setting !== 'default') await context.overridePermissions(origin, setting === 'granted' ? ['notifications'] : []);
      return true;
    },
  };
}
