/** Durable consumer name used when none is given (`srvv consume`, `srvv serve`). */
export const DEFAULT_DURABLE = 'srvv';

/** Stream and consumer names: letters, digits, `-` and `_` (NATS forbids whitespace, `.`, `*`, `>` and path separators). */
export const NATS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
