/**
 * Resolves at the next animation frame, or after 100 ms at the latest: a
 * page can be visible yet get no frames (an occluded window, a background
 * tab in some browsers).
 */
export function nextFrame(): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
