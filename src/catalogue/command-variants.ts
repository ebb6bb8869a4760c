/**
 * DUIS Command Variants (`CommandVariant`, 1..8): how the DCC handles a request and what it sends back.
 * Wording follows the DUIS table as transcribed in `@smartdcc/duis-parser` `src/cv.ts` (docs/catalogue.md).
 */

export const COMMAND_VARIANT_NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8] as const;
export type CommandVariantNumber = (typeof COMMAND_VARIANT_NUMBERS)[number];

/** DUIS web service that accepts the request. */
export type CommandVariantWebService = 'Send Command Service' | 'Non-Device Service' | 'Transform Service';

export interface CommandVariant {
  readonly number: CommandVariantNumber;
  /** DUIS description of the variant. */
  readonly description: string;
  /** What the User sends: `Service Request` or `Signed Pre-Command`. */
  readonly input: 'Service Request' | 'Signed Pre-Command';
  /** What the DCC produces. */
  readonly output: string;
  readonly webService: CommandVariantWebService;
  /** The request concerns a critical SRV (4 asks the DCC to transform one; 5 to 7 carry the signed result). */
  readonly forCriticalSrv: boolean;
  /** The User sends a Signed Pre-Command (5, 6, 7). */
  readonly signedPreCommand: boolean;
  /** The DCC sends a command to the device over the SM WAN (1, 3, 5, 7). */
  readonly viaSmWan: boolean;
  /** The DCC returns a command to the User for local delivery, e.g. over the HAN by an installer (2, 3, 6, 7). */
  readonly localDelivery: boolean;
  /** A non-device request, answered by the DCC itself (8). */
  readonly nonDevice: boolean;
}

type Row = Omit<CommandVariant, 'number' | 'forCriticalSrv' | 'signedPreCommand' | 'viaSmWan' | 'localDelivery' | 'nonDevice'>;

const ROWS: Record<CommandVariantNumber, Row> = {
  1: {
    description: 'Non Critical Service Request for Command to be sent to a Device via the SM WAN',
    input: 'Service Request',
    output: 'Command',
    webService: 'Send Command Service',
  },
  2: {
    description: 'Non Critical Service Request for Command to be returned to the User for local delivery to a Device',
    input: 'Service Request',
    output: 'Command for Local Delivery',
    webService: 'Non-Device Service',
  },
  3: {
    description:
      'Non Critical Service Request for Command to be sent to a Device via the SM WAN as well as a copy to be ' +
      'returned to the User for local delivery',
    input: 'Service Request',
    output: 'Command and Command for Local Delivery',
    webService: 'Send Command Service',
  },
  4: {
    description: 'Transform Critical Service Request and return Pre-Command to User for Correlation and Digital Signing',
    input: 'Service Request',
    output: 'Pre-Command',
    webService: 'Transform Service',
  },
  5: {
    description: 'Critical Signed Pre-Command indicating Command to be sent to a Device via the SM WAN',
    input: 'Signed Pre-Command',
    output: 'Command',
    webService: 'Send Command Service',
  },
  6: {
    description: 'Critical Signed Pre-Command indicating Command to be returned to the User for local delivery to a Device',
    input: 'Signed Pre-Command',
    output: 'Command for Local Delivery',
    webService: 'Non-Device Service',
  },
  7: {
    description:
      'Critical Service Request for Command to be sent to a Device via the SM WAN as well as a copy to be ' +
      'returned to the User for local delivery',
    input: 'Signed Pre-Command',
    output: 'Command and Command for Local Delivery',
    webService: 'Send Command Service',
  },
  8: {
    description: 'Request a Non-Device Service',
    input: 'Service Request',
    output: 'Service Response',
    webService: 'Non-Device Service',
  },
};

// The flags are derived from the DUIS columns above rather than typed in, so they cannot contradict them.
function withFlags(number: CommandVariantNumber): CommandVariant {
  const r = ROWS[number];
  return {
    number,
    ...r,
    forCriticalSrv: /\bCritical\b/.test(r.description) && !r.description.startsWith('Non Critical'),
    signedPreCommand: r.input === 'Signed Pre-Command',
    viaSmWan: r.webService === 'Send Command Service',
    localDelivery: r.output.includes('Local Delivery'),
    nonDevice: r.output === 'Service Response',
  };
}

const VARIANTS: readonly CommandVariant[] = Object.freeze(
  COMMAND_VARIANT_NUMBERS.map((number) => Object.freeze(withFlags(number))),
);

/** Guard: `value` is a Command Variant number, 1 to 8. */
export function isCommandVariantNumber(value: unknown): value is CommandVariantNumber {
  return typeof value === 'number' && (COMMAND_VARIANT_NUMBERS as readonly number[]).includes(value);
}

/**
 * The Command Variant for `n`: a number 1..8, or its decimal text as written in XML (`"8"`, surrounding
 * whitespace allowed). `undefined` for anything else.
 */
export function lookupCommandVariant(n: number | string): CommandVariant | undefined {
  const value = typeof n === 'string' && /^\s*\d\s*$/.test(n) ? Number(n) : n;
  return isCommandVariantNumber(value) ? VARIANTS[value - 1] : undefined;
}

/** All eight Command Variants, in order. Frozen. */
export function listCommandVariants(): readonly CommandVariant[] {
  return VARIANTS;
}
