/** `virality pt inspect FILE`: the object tree of a .pt file as JSON, with dtypes and shapes. */
import type { Command } from "commander";
import { inspectPt } from "../../io/pt/index.js";

export function registerPt(program: Command): void {
  const pt = program.command("pt").description("PyTorch .pt files (read safely: nothing in the file is executed)");
  pt.command("inspect")
    .description("print the object tree of a .pt file as JSON (dtypes and shapes; values with --values)")
    .argument("<file>", "a file written by torch.save")
    .option("--values", "include tensor values", false)
    .action(async (file: string, options: { values: boolean }) => {
      const result = await inspectPt(file, { values: options.values });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    });
}
