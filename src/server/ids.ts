import { randomBytes } from 'node:crypto';

/** A fresh id for a connection or a legacy message: 72 random bits, URL-safe. */
export const newId = (): string => randomBytes(9).toString('base64url');
