/**
 * `virality train`'s GBDT flags: one per hyperparameter of trainer/gbdt (sklearn's names in its
 * GbdtOptions), checked by the trainer's own validator as they are parsed, so a bad value fails
 * before any file is read and the error names the flag the user typed.
 */
import { InvalidArgumentError, Option } from "commander";
import { isViralityError } from "../../errors.js";
import { GBDT_DEFAULTS, resolveGbdtOptions, type ResolvedGbdtOptions } from "../../../trainer/gbdt/index.js";

/** The hyperparameters with a flag: the categorical columns come from the spec, the seed from --seed. */
type FlagKey = Exclude<keyof ResolvedGbdtOptions, "categoricalFeatures" | "randomState">;

interface GbdtFlag {
  readonly key: FlagKey;
  readonly flags: string;
  readonly help: string;
  /**
   * Text → the option's value, checked afterwards by resolveGbdtOptions. Commander keeps the text
   * (it would turn a null, "none", into ""), and gbdtOptionsFrom converts it again.
   */
  readonly parse: (text: string) => unknown;
  /** The accepted words, for flags that take one of a few (the error lists them instead of the JS values). */
  readonly words?: readonly string[];
}

function number(text: string): unknown {
  return text.trim() === "" ? text : Number(text);
}

function numberOrNone(text: string): unknown {
  return text === "none" ? null : number(text);
}

function onOff(text: string): unknown {
  if (text === "on") return true;
  if (text === "off") return false;
  return text;
}

function threads(text: string): unknown {
  return text === "1" || text === "2" ? Number(text) : text;
}

const d = GBDT_DEFAULTS;

export const GBDT_FLAGS: readonly GbdtFlag[] = [
  { key: "learningRate", flags: "--learning-rate <x>", help: `GBDT shrinkage of each tree (default ${d.learningRate})`, parse: number },
  { key: "maxIter", flags: "--max-iter <n>", help: `GBDT boosting iterations, at most (default ${d.maxIter})`, parse: number },
  { key: "maxLeafNodes", flags: "--max-leaf-nodes <n|none>", help: `GBDT leaves per tree (default ${String(d.maxLeafNodes)})`, parse: numberOrNone },
  { key: "maxDepth", flags: "--max-depth <n|none>", help: `GBDT depth of a tree (default ${d.maxDepth === null ? "none" : d.maxDepth})`, parse: numberOrNone },
  { key: "minSamplesLeaf", flags: "--min-samples-leaf <n>", help: `GBDT minimum rows per leaf (default ${d.minSamplesLeaf})`, parse: number },
  { key: "l2Regularization", flags: "--l2 <x>", help: `GBDT L2 regularization of leaf values (default ${d.l2Regularization})`, parse: number },
  { key: "maxBins", flags: "--max-bins <n>", help: `GBDT bins per column for non-missing values, 2-255; missing values get one more (default ${d.maxBins})`, parse: number },
  { key: "binSubsample", flags: "--bin-subsample <n>", help: `GBDT rows that place the bin edges (a seeded sample when there are more; default ${d.binSubsample})`, parse: number },
  {
    key: "binQuantile",
    flags: "--bin-quantile <method>",
    help: `GBDT bin edges: midpoint (sklearn <= 1.5) or averaged_inverted_cdf (sklearn >= 1.6) (default ${d.binQuantile})`,
    parse: (text) => text,
    words: ["midpoint", "averaged_inverted_cdf"],
  },
  {
    key: "earlyStopping",
    flags: "--early-stopping <auto|on|off>",
    help: `GBDT early stopping on a held-back validation share; auto: on above 10,000 training rows (default ${String(d.earlyStopping)})`,
    parse: onOff,
    words: ["auto", "on", "off"],
  },
  { key: "validationFraction", flags: "--validation-fraction <f>", help: `GBDT share of training rows held back for early stopping (default ${d.validationFraction})`, parse: number },
  { key: "nIterNoChange", flags: "--n-iter-no-change <n>", help: `GBDT early stopping's patience, in iterations (default ${d.nIterNoChange})`, parse: number },
  { key: "tol", flags: "--tol <x>", help: `GBDT early stopping's smallest improvement (default ${d.tol})`, parse: number },
  {
    key: "threads",
    flags: "--threads <auto|1|2>",
    help: `GBDT threads for histograms and split finding; auto: 2 when the data is large enough to pay (default ${String(d.threads)})`,
    parse: threads,
    words: ["auto", "1", "2"],
  },
];

/** Checks one option's value with the trainer's validator; the error names `flag`. */
function checkedOption(flag: string, key: keyof ResolvedGbdtOptions, value: unknown): unknown {
  try {
    resolveGbdtOptions({ [key]: value });
  } catch (error) {
    const problem = isViralityError(error) ? error.details?.["problem"] : undefined;
    if (typeof problem === "string") throw new InvalidArgumentError(`${flag} ${problem}`);
    throw error;
  }
  return value;
}

/** The GBDT flags as commander options, each checked as it is read (the value stays text). */
export function gbdtOptions(): Option[] {
  return GBDT_FLAGS.map((flag) => {
    const option = new Option(flag.flags, flag.help);
    const name = option.long ?? flag.flags;
    return option.argParser((text: string) => {
      if (flag.words !== undefined && !flag.words.includes(text)) {
        throw new InvalidArgumentError(`${name} must be ${flag.words.slice(0, -1).join(", ")} or ${flag.words.at(-1) ?? ""}, got "${text}"`);
      }
      checkedOption(name, flag.key, flag.parse(text));
      return text;
    });
  });
}

/**
 * The GBDT options of a parsed command line (commander's values by attribute name), the defaults
 * filled in, with the seed as randomState.
 */
export function gbdtOptionsFrom(values: Readonly<Record<string, unknown>>, seed: number): Omit<ResolvedGbdtOptions, "categoricalFeatures"> {
  const given: Record<string, unknown> = { randomState: seed };
  for (const flag of GBDT_FLAGS) {
    const text = values[new Option(flag.flags).attributeName()];
    if (typeof text === "string") given[flag.key] = flag.parse(text);
  }
  const { categoricalFeatures: _fromSpec, ...options } = resolveGbdtOptions(given);
  return options;
}
