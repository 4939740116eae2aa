/** The safe torch.save reader: public surface. */
export { readPt, readPtBuffer } from "./read.js";
export { inspectPt, describePt, type InspectNode, type TensorNode, type InspectOptions, type InspectResult, type TensorValues, type JsonNumber } from "./inspect.js";
export {
  PT_DTYPES,
  dictGet,
  type PtBool,
  type PtBytes,
  type PtDict,
  type PtDtype,
  type PtDtypeValue,
  type PtFile,
  type PtFloat,
  type PtFormat,
  type PtInt,
  type PtList,
  type PtNone,
  type PtReadOptions,
  type PtString,
  type PtTensor,
  type PtTensorData,
  type PtTensorDataByDtype,
  type PtTuple,
  type PtValue,
} from "./types.js";
