// The wire protocol, shared by the browser client and the relay: one copy.
export * from './constants.js';
export * from './frames.js';
export * from './codec.js';
export * from './legacy.js';
