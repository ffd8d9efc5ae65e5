// The demo page's controls (src/server/demo.ts): over HTTP, only with
// `demoControls` (the CLI's --demo), POST only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RelayServer } from '../../src/server/index.js';
import { relayFixture } from '../support/relay-fixture.js';
import { waitFor } from '../support/wait.js';

/** A request without keep-alive, its body read, so no socket outlives the test's relay. */
async function post(relay: RelayServer, path: string, method = 'POST') {
  const response = await fetch(`http://127.0.0.1:${relay.port}${path}`, { method, headers: { connection: 'close' }, signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: () => JSON.parse(text) as unknown };
}

describe('demo controls', () => {
  const fixture = relayFixture();
  const start = (demoControls: boolean) => fixture.relay({ demoControls });
  const connect = (relay: RelayServer, name: string) => fixture.client(relay, { name });

  it('are not there without demoControls', async () => {
    const relay = await start(false);
    const ada = await connect(relay, 'ada');
    assert.equal((await post(relay, '/demo/drop?name=ada')).status, 404);
    assert.equal((await post(relay, '/demo/restart')).status, 404);
    assert.equal(ada.closeCode, undefined);
    assert.equal(relay.online, 1);
  });

  it("drop one user's connections, abruptly, and leave the others", async () => {
    const relay = await start(true);
    const ada = await connect(relay, 'ada');
    const bob = await connect(relay, 'bob');
    assert.equal((await post(relay, '/demo/drop?name=ada', 'GET')).status, 405, 'a GET (a link, a prefetch) changes nothing');
    const answer = await post(relay, '/demo/drop?name=ada');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.deepEqual(answer.json(), { dropped: 1 });
    await waitFor(() => ada.closeCode !== undefined, 'ada is cut off');
    assert.equal(ada.closeCode, 1006, 'as a network failure would: no closing handshake');
    assert.equal(bob.closeCode, undefined);
    assert.equal((await post(relay, '/demo/nothing')).status, 404);
  });

  it('restart the relay: an in-memory one comes back with a new epoch', async () => {
    const relay = await start(true);
    const before = relay.epoch;
    const ada = await connect(relay, 'ada');
    const answer = await post(relay, '/demo/restart?downtime=50');
    assert.deepEqual(answer.json(), { restarting: true });
    await waitFor(() => ada.closeCode !== undefined, 'ada is cut off');
    await waitFor(() => relay.epoch !== before, 'the relay restarted');
    const again = await connect(relay, 'ada');
    assert.equal(again.welcome.epoch, relay.epoch);
  });
});
