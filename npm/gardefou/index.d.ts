/** One finding of a refusal: never a value, never a user. */
export interface Finding {
  rule: string;
  policy: string;
  severity: 'error' | 'warning';
  message: string;
  fix: string;
}

/** A refusal by gardefou: `code` is `GARDEFOU_REFUSED`, `findings` say why. */
export class GardefouError extends Error {
  readonly code: 'GARDEFOU_REFUSED';
  readonly findings: Finding[];
}

/** What the process was judged as. */
export interface State {
  purpose: 'run' | 'seed';
  environment: 'production' | 'sandbox' | 'local' | null;
  /** The database server as findings name it (`127.0.0.1:5432`, `Neon endpoint ep-…`). */
  target: string | null;
  debugRoutes: boolean;
}

/** Judges this process (throws a GardefouError on refusal instead of exiting). */
export function register(purpose?: 'run' | 'seed'): State;
/** The state of a register that happened, or null. */
export function state(): State | null;
