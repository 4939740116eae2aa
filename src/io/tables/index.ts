export { readTable, type ReadTableOptions } from "./read.js";
export { writeTable } from "./write.js";
export { checkKey } from "./key.js";
export { MISSING_TOKENS, parseDecimal } from "./column-builder.js";
export {
  KEY_COLUMN,
  cellAt,
  isMissing,
  makeTable,
  missingCount,
  rowLabel,
  tableFromColumns,
  type Cell,
  type Column,
  type ColumnInput,
  type NumberColumn,
  type Table,
  type TableFormat,
  type TextColumn,
} from "./table.js";
