export interface BusErrorDetail {
  /** The event whose handler threw. */
  readonly type: string | symbol;
  /** What the handler threw. */
  readonly error: unknown;
}
