// Writing small files so that a crash of the machine leaves them whole, and
// new names in a folder so that they survive it: what the file log's meta,
// reservation and segments rely on.
import { closeSync, fdatasyncSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Replaces a small file so that a crash leaves the old one or the new one, flushed, never half of one. */
export function replaceFile(path: string, content: object): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, `${JSON.stringify(content)}\n`);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  flushFolder(dirname(path));
}

/** A new file's name is durable only once its folder is flushed. */
export function flushFolder(path: string): void {
  // Windows cannot open a folder to flush it; its file systems journal names themselves.
  if (process.platform !== 'win32') flushFile(path);
}

export function flushFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
