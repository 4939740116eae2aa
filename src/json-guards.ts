/**
 * Guards for validating parsed JSON (stored specs, bundles, trees): each checks one field's shape and
 * throws the caller's error, naming the field, when it does not fit.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface JsonGuards {
  objectAt(value: unknown, field: string): Record<string, unknown>;
  arrayAt(value: unknown, field: string): unknown[];
  finiteAt(value: unknown, field: string): number;
  positiveAt(value: unknown, field: string): number;
  stringAt(value: unknown, field: string): string;
}

/** The guards, throwing `fail(field, problem)`. */
export function jsonGuards(fail: (field: string, problem: string) => Error): JsonGuards {
  const finiteAt = (value: unknown, field: string): number => {
    if (typeof value !== "number" || !Number.isFinite(value)) throw fail(field, "must be a finite number");
    return value;
  };
  return {
    objectAt(value, field) {
      if (!isRecord(value)) throw fail(field, "must be an object");
      return value;
    },
    arrayAt(value, field) {
      if (!Array.isArray(value)) throw fail(field, "must be a list");
      return value;
    },
    finiteAt,
    positiveAt(value, field) {
      const number = finiteAt(value, field);
      if (number <= 0) throw fail(field, "must be positive");
      return number;
    },
    stringAt(value, field) {
      if (typeof value !== "string" || value === "") throw fail(field, "must be a non-empty string");
      return value;
    },
  };
}
