/** Writes report.html and report.json into a directory, each atomically (temporary file, then rename). */
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { renderReportHtml } from "./html.js";
import { reportToJson } from "./json.js";
import type { TrainingReport } from "./types.js";

export interface ReportFiles {
  readonly html: string;
  readonly json: string;
}

export async function writeReport(dir: string, report: TrainingReport): Promise<ReportFiles> {
  const files = { html: path.join(dir, "report.html"), json: path.join(dir, "report.json") };
  const json = reportToJson(report);
  const html = renderReportHtml(report);
  await mkdir(dir, { recursive: true });
  await writeAtomic(files.json, json);
  await writeAtomic(files.html, html);
  return files;
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text, "utf8");
  await rename(temporary, file);
}
