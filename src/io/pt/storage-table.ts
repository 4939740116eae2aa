import { ITEM_SIZE } from "./dtypes.js";
import { index } from "./globals.js";
import { aTypeName, type Pv, type PvStorage } from "./pickle-values.js";
import type { PtDtype } from "./types.js";
import { vmError, type VmPlace } from "./vm-place.js";

/** What the pickle declares about one storage key: its dtype and size when first named. */
export interface StorageDeclaration {
  readonly key: string;
  readonly dtype: PtDtype;
  readonly numel: number;
  /** The bytes the file must hold for this key (the largest of all references to it). */
  readonly bytes: number;
}

/**
 * The persistent-load side of the VM: turns torch's storage ids
 *   ("storage", torch.<T>Storage, key, location, numel)            (zip format)
 *   ("storage", torch.<T>Storage, key, location, numel, view_info)  (legacy; view_info None or (view_key, offset, size))
 * into storage values, and remembers per key how many bytes the file must hold for it.
 */
export class StorageTable {
  private readonly declared = new Map<string, StorageDeclaration>();
  private readonly views = new Map<string, PvStorage>();

  get declarations(): readonly StorageDeclaration[] {
    return [...this.declared.values()];
  }

  load(pid: Pv, place: VmPlace): PvStorage {
    if (pid.t !== "tuple" || pid.items.length < 5 || pid.items.length > 6) {
      throw vmError("VIR_PT_UNSUPPORTED", place, `a persistent id that is ${aTypeName(pid)}${pid.t === "tuple" ? ` of ${pid.items.length} items` : ""}, not a torch storage id`);
    }
    const [tag, storageType, key, location, numelValue, viewInfo] = pid.items;
    if (tag?.t !== "str" || tag.v !== "storage") {
      throw vmError("VIR_PT_UNSUPPORTED", place, "a persistent id that is not a storage (torch.save of a whole module is not read; save its state_dict)");
    }
    if (storageType?.t !== "global" || storageType.role.kind !== "storage_class") {
      throw vmError("VIR_PT_CORRUPT", place, "a storage id whose type is not a torch storage class", { field: "storage_type" });
    }
    if (key?.t !== "str" || location?.t !== "str") throw vmError("VIR_PT_CORRUPT", place, "a storage id without a key and location");
    const dtype = storageType.role.dtype;
    const numel = index(numelValue, "storage numel", place);
    const root = this.declare(key.v, dtype, numel);
    if (viewInfo === undefined || viewInfo.t === "none") return root;
    return this.legacyView(root, viewInfo, place);
  }

  private declare(key: string, dtype: PtDtype, numel: number): PvStorage {
    const bytes = numel * ITEM_SIZE[dtype];
    const known = this.declared.get(key);
    if (known === undefined || bytes > known.bytes) {
      this.declared.set(key, { key, dtype: known?.dtype ?? dtype, numel: known?.numel ?? numel, bytes });
    }
    return { t: "storage", key, dtype, numel, byteOffset: 0 };
  }

  /** Pre-1.0 files may name a slice of a storage: (view_key, offset, size), in elements of the root. */
  private legacyView(root: PvStorage, info: Pv, place: VmPlace): PvStorage {
    if (info.t !== "tuple" || info.items.length !== 3 || info.items[0]?.t !== "str") {
      throw vmError("VIR_PT_CORRUPT", place, "a legacy storage view that is not (view_key, offset, size)");
    }
    const viewKey = info.items[0].v;
    const known = this.views.get(viewKey);
    if (known !== undefined) return known;
    const offset = index(info.items[1], "view offset", place);
    const size = index(info.items[2], "view size", place);
    if (offset + size > root.numel) {
      throw vmError("VIR_PT_CORRUPT", place, `storage view ${viewKey} covers elements ${offset}..${offset + size} of a storage of ${root.numel}`);
    }
    const view: PvStorage = { ...root, byteOffset: offset * ITEM_SIZE[root.dtype], numel: size };
    this.views.set(viewKey, view);
    return view;
  }
}
