import { ViralityError, type ErrorCode } from "../../errors.js";

export type FailDetails = Readonly<Record<string, string | number | boolean>>;

/** A ViralityError whose message starts with the file and whose details carry it (and offset, field …). */
export function ptError(code: ErrorCode, file: string, message: string, details: FailDetails = {}): ViralityError {
  return new ViralityError(code, `${file}: ${message}`, { details: { file, ...details } });
}
