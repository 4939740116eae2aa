/**
 * Checks the structure of a Parquet file before hyparquet decodes it. hyparquet trusts the file: a
 * page header that lacks a field gives NaN offsets, and its run-length decoder then reads the same
 * byte forever; a column chunk naming a column the schema does not have makes it throw while the other
 * chunks are still being read, and their errors then escape as unhandled rejections (which end the
 * process). So each row group must hold one chunk per top-level column, within the file, and every page
 * header is read and checked (sizes within its chunk, level lengths within its page, counts within the
 * row group) first; a failure is a VIR_TABLE_INVALID naming the file, the column and the byte offset.
 */
import type { AsyncBuffer, FileMetaData, SchemaTree } from "hyparquet";
import { parquetHeader } from "hyparquet/src/column.js";
import { ViralityError } from "../../errors.js";

/** A count or size: a non-negative safe integer, as hyparquet's number or bigint; else undefined. */
function count(value: unknown): number | undefined {
  const n = typeof value === "bigint" ? Number(value) : value;
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

export async function checkParquetLayout(path: string, file: AsyncBuffer, metadata: FileMetaData, schema: SchemaTree): Promise<void> {
  const names = new Set(schema.children.map((child) => child.element.name));
  const chunks: Array<{ where: string; start: number; size: number; groupRows: number; name: string }> = [];
  for (const [g, group] of metadata.row_groups.entries()) {
    const where = `row group ${g + 1}`;
    const fail = (problem: string, column?: string): ViralityError =>
      new ViralityError("VIR_TABLE_INVALID", `${path}: ${where} ${problem}; the file is damaged.`, {
        details: column === undefined ? { file: path, rowGroup: g + 1 } : { file: path, rowGroup: g + 1, column },
      });
    const groupRows = count(group.num_rows);
    if (groupRows === undefined) throw fail(`declares ${String(group.num_rows)} rows`);
    if (!Array.isArray(group.columns)) throw fail("has no list of column chunks");
    const seen = new Set<string>();
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      const inSchema = meta?.path_in_schema;
      const name = Array.isArray(inSchema) && inSchema.length === 1 && typeof inSchema[0] === "string" ? inSchema[0] : undefined;
      if (meta === undefined || name === undefined) throw fail("has a column chunk without metadata or with a nested path");
      if (!names.has(name)) throw fail(`has a column chunk for "${name}", which the schema does not have`, name);
      if (seen.has(name)) throw fail(`has two column chunks for "${name}"`, name);
      seen.add(name);
      const start = count(meta.dictionary_page_offset || meta.data_page_offset);
      const size = count(meta.total_compressed_size);
      if (start === undefined || size === undefined || start + size > file.byteLength) {
        throw fail(`has a column chunk for "${name}" outside the file (${String(start)} + ${String(size)} bytes of ${file.byteLength})`, name);
      }
      chunks.push({ where: `column "${name}", ${where}`, start, size, groupRows, name });
    }
    if (seen.size !== names.size) throw fail(`has ${seen.size} column chunks for ${names.size} columns`);
  }
  for (const { where, start, size, groupRows, name } of chunks) {
    checkPages(path, where, new DataView(await file.slice(start, start + size)), start, groupRows, name);
  }
}

/** Walks a column chunk's page headers the way hyparquet will, until the group's rows are covered. */
function checkPages(path: string, where: string, view: DataView, base: number, groupRows: number, column: string): void {
  const reader = { view, offset: 0 };
  let rows = 0;
  while (rows < groupRows && reader.offset < view.byteLength - 1) {
    const at = base + reader.offset;
    const fail = (problem: string): ViralityError =>
      new ViralityError("VIR_TABLE_INVALID", `${path}: ${where}: the page header at byte ${at} ${problem}; the file is damaged.`, {
        details: { file: path, column, offset: at },
      });
    let header: ReturnType<typeof parquetHeader>;
    try {
      header = parquetHeader(reader);
    } catch (error) {
      throw fail(`cannot be read (${error instanceof Error ? error.message : String(error)})`);
    }
    const compressed = count(header.compressed_page_size);
    const uncompressed = count(header.uncompressed_page_size);
    if (compressed === undefined || uncompressed === undefined) {
      throw fail(`has page sizes ${String(header.compressed_page_size)} / ${String(header.uncompressed_page_size)}`);
    }
    if (reader.offset + compressed > view.byteLength) throw fail(`declares ${compressed} bytes, past the end of the column chunk`);
    const within = (value: unknown, field: string, limit: number): number => {
      const n = count(value);
      if (n === undefined || n > limit) throw fail(`has ${field} ${String(value)} (at most ${limit})`);
      return n;
    };
    if (header.type === "DATA_PAGE") {
      rows += within(header.data_page_header?.num_values, "num_values", groupRows - rows);
    } else if (header.type === "DATA_PAGE_V2") {
      const v2 = header.data_page_header_v2;
      const values = within(v2?.num_values, "num_values", groupRows - rows);
      within(v2?.num_nulls, "num_nulls", values);
      rows += within(v2?.num_rows, "num_rows", values);
      const repetition = within(v2?.repetition_levels_byte_length, "repetition_levels_byte_length", compressed);
      within(v2?.definition_levels_byte_length, "definition_levels_byte_length", Math.min(compressed, uncompressed) - repetition);
    } else if (header.type === "DICTIONARY_PAGE") {
      within(header.dictionary_page_header?.num_values, "dictionary num_values", 8 * uncompressed);
    } else if (header.type !== "INDEX_PAGE") {
      throw fail(`has an unknown page type ${String(header.type)}`);
    }
    reader.offset += compressed;
  }
}
