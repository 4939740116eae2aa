import { ptError } from "./fail.js";

/** Where in the file the VM is, for error messages. */
export interface VmPlace {
  readonly file: string;
  /** The pickle's name inside the file: `archive/data.pkl`, or `main pickle` for legacy files. */
  readonly record: string;
  readonly offset: number;
  readonly maxElements: number;
}

export function vmError(
  code: "VIR_PT_CORRUPT" | "VIR_PT_UNSUPPORTED" | "VIR_PT_LIMIT" | "VIR_PT_FORBIDDEN_GLOBAL",
  place: VmPlace,
  message: string,
  extra: Readonly<Record<string, string | number | boolean>> = {},
): Error {
  return ptError(code, place.file, `${place.record} at byte ${place.offset}: ${message}`, {
    record: place.record,
    offset: place.offset,
    ...extra,
  });
}
