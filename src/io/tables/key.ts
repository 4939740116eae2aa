/** The `video_id` key of a features table: present, never empty, unique. */
import { ViralityError } from "../../errors.js";
import { KEY_COLUMN, rowLabel, type Table } from "./table.js";

const SHOWN = 5;

export function checkKey(table: Table): void {
  const column = table.byName.get(KEY_COLUMN);
  if (column === undefined) {
    const seen = table.columns.slice(0, 8).map((c) => c.name).join(", ");
    throw new ViralityError(
      "VIR_TABLE_INVALID",
      `${table.source}: no "${KEY_COLUMN}" column (columns: ${seen}${table.columns.length > 8 ? ", …" : ""}); ` +
        `name the column holding the ids of fused.pt "${KEY_COLUMN}".`,
      { details: { file: table.source, column: KEY_COLUMN } },
    );
  }
  if (column.type !== "text") {
    throw new ViralityError("VIR_TABLE_INVALID", `${table.source}: the "${KEY_COLUMN}" column must hold text ids.`, {
      details: { file: table.source, column: KEY_COLUMN },
    });
  }

  const firstRow = new Map<string, number>();
  const duplicates: string[] = [];
  let duplicateCount = 0;
  for (let row = 0; row < table.rowCount; row++) {
    const id = column.values[row] ?? null;
    if (id === null) {
      throw new ViralityError(
        "VIR_TABLE_INVALID",
        `${table.source}: ${rowLabel(table, row)} has an empty ${KEY_COLUMN}; every row needs the id of its video.`,
        { details: { file: table.source, row: row + 1, column: KEY_COLUMN } },
      );
    }
    const first = firstRow.get(id);
    if (first === undefined) {
      firstRow.set(id, row);
      continue;
    }
    duplicateCount++;
    if (duplicates.length < SHOWN) {
      duplicates.push(`"${id}" on ${rowLabel(table, first)} and ${rowLabel(table, row)}`);
    }
  }
  if (duplicateCount > 0) {
    throw new ViralityError(
      "VIR_TABLE_INVALID",
      `${table.source}: ${duplicateCount} duplicated ${KEY_COLUMN} value(s): ${duplicates.join("; ")}` +
        `${duplicateCount > SHOWN ? "; …" : ""}. Keep one row per video.`,
      { details: { file: table.source, column: KEY_COLUMN, duplicates: duplicateCount } },
    );
  }
}
