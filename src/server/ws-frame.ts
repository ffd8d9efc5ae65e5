/**
 * A complete server-to-client WebSocket text frame (RFC 6455 §5.2: FIN set,
 * opcode 1, unmasked, no extensions — the relay disables permessage-deflate):
 * the bytes `ws`'s `send()` would write. Encoded once per message, it is
 * written as is to every recipient's socket, where `send()` would frame it
 * again for each one and write the header and the payload separately.
 */
export function textFrame(payload: string): Buffer {
  const length = Buffer.byteLength(payload);
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x81;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(payload, head, 'utf8');
  return frame;
}
