import { readFileSync } from 'node:fs';

/** Linux's name for the current boot: a random UUID made at every boot. */
export const DEFAULT_BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';

/**
 * What names the machine's current boot. While it is the same, the operating
 * system's page cache still holds every write the relay made, even one whose
 * process was killed, so nothing written can have been lost; once it differs,
 * what was not flushed may be. Undefined when the default file cannot be read
 * (not Linux): then every restart that did not follow a clean stop counts as
 * a possible crash. A file named explicitly must be readable and not empty.
 */
export function readBootId(file?: string): string | undefined {
  let id: string;
  try {
    id = readFileSync(file ?? DEFAULT_BOOT_ID_FILE, 'utf8').trim();
  } catch (error) {
    if (file === undefined) return undefined;
    throw new Error(`message log: cannot read the boot id from ${file}: ${(error as Error).message}`);
  }
  if (id === '' && file !== undefined) throw new Error(`message log: the boot id file ${file} is empty`);
  return id || undefined;
}
