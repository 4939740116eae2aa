/** The regression metrics live in the pure core (src/model/metrics.ts): the backtest uses them too. */
export * from "../../src/model/metrics.js";
