/**
 * Whether `value` nests arrays and objects at most `max` levels deep (a
 * scalar is 0 deep, `[]` is 1). Iterative, so a hostile payload cannot
 * exhaust the stack here; JSON.parse accepts nesting that JSON.stringify
 * cannot serialise again (a few thousand levels fit in a 64 KiB frame).
 */
export function withinDepth(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return true;
  const stack: Array<[object, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return false;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return true;
}
