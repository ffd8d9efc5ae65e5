// package.json's `engines.node` is a promise to everyone who installs the
// package or works on it: every Node version it names runs the whole tree.
// npm only warns (EBADENGINE) when a dependency wants more, and only on the
// Node at hand, so an upgrade that needs a newer Node slips in unnoticed on a
// newer machine. This test reads what npm ci installs, package-lock.json, and
// holds every package's own `engines.node` against the claim, for every Node
// version the claim allows, not just the running one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import semver from 'semver';

interface LockedPackage {
  version?: string;
  engines?: Record<string, string> | string[];
  dev?: boolean;
  optional?: boolean;
}

const root = new URL('../../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines?: { node?: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, LockedPackage>;
};
const claim = manifest.engines?.node ?? '';

describe('engines.node in package.json', () => {
  it('is a valid semver range', () => {
    assert.ok(semver.validRange(claim), `package.json engines.node ${JSON.stringify(claim)} is not a semver range`);
  });

  it('includes the Node these tests run on (the project\'s own machines and CI)', () => {
    assert.ok(semver.satisfies(process.version, claim), `node ${process.version} is outside the claim ${claim}`);
  });

  it('is what package-lock.json recorded (the lock was regenerated after the last edit)', () => {
    assert.deepEqual(lock.packages['']?.engines, manifest.engines);
  });

  it('is supported by every locked package, development and optional ones included', () => {
    const unsupported: string[] = [];
    for (const [path, locked] of Object.entries(lock.packages)) {
      if (path === '') continue;
      // An array is the long-deprecated form that npm ignores.
      const wanted = Array.isArray(locked.engines) ? undefined : locked.engines?.node;
      if (wanted === undefined) continue;
      // An invalid range fails npm's check on every Node, so it fails here too.
      if (!semver.validRange(wanted) || !semver.subset(claim, wanted)) {
        unsupported.push(`${path.replace(/^node_modules\//, '')}@${locked.version} wants node ${wanted}`);
      }
    }
    assert.ok(unsupported.length === 0, `package.json claims node ${claim}, but:\n  ${unsupported.join('\n  ')}`);
  });
});
