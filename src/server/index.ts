// The relay server (Node only): `import { createRelayServer } from 'lit-message-center/server'`.
export { createRelayServer } from './create-relay-server.js';
export type { RelayServer } from './create-relay-server.js';
export { DEFAULT_LIMITS } from './options.js';
export type { AccessOptions, PresenceOptions, RelayLimits, RelayServerOptions, StaticFiles } from './options.js';
export type { Authenticate, AuthOptions, Authorize, Identity, RoomRequest } from './auth.js';
export type { RoomRetention, RoomRetentionRule } from './retention.js';
