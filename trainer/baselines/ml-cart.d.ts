// The part of ml-cart 2.1.1 (which ships no types) that trainer/baselines uses: regression trees.
declare module "ml-cart" {
  export interface RegressionTreeOptions {
    /** A node with at most this many rows becomes a leaf (ml-cart default 3). */
    readonly minNumSamples?: number;
    /** The root is depth 0; nodes at maxDepth are leaves. */
    readonly maxDepth?: number;
  }

  /** A node of a trained tree: internal nodes send a row left when row[splitColumn] < splitValue. */
  export interface RegressionTreeNode {
    readonly splitColumn?: number;
    readonly splitValue?: number;
    readonly left?: RegressionTreeNode;
    readonly right?: RegressionTreeNode;
    /** A leaf's prediction: the mean target of its rows. */
    readonly distribution?: number;
  }

  export interface RegressionTreeJSON {
    readonly name: "DTRegression";
    readonly root: RegressionTreeNode;
  }

  export class DecisionTreeRegression {
    constructor(options?: RegressionTreeOptions);
    train(trainingSet: number[][], trainingValues: number[]): void;
    predict(toPredict: number[][]): number[];
    toJSON(): RegressionTreeJSON;
  }
}
