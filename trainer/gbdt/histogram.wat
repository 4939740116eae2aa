;; The GBDT trainer's histogram kernels (trainer/gbdt/histogram-kernels.ts), hand-written. They do
;; exactly what histogram.ts' accumulateIndexed and accumulateAllGradients do, adding in the same
;; order (so the histograms are bit-identical), without JS's typed-array checks: about 1.75 times as
;; fast (bench/README.md, gbdt-vs-sklearn); the node build adds (gradient, 1) to a bin as one f64x2.
;; scanPair is splitter.ts' scanNumeric for two features at once, in f64x2 lanes, with the same
;; arithmetic per lane. Assembled by scripts/gen-wasm.ts into trainer/gbdt/generated/histogram-wasm.ts.
;;
;; All offsets are bytes into the imported memory (shared, so that it can grow without detaching an
;; ArrayBuffer; each thread has its own). Bins are uint8, column-major (feature f, row r at
;; bins + f*n + r). A histogram slot holds, per feature f (at hist + f*stride) and bin b, the sum of
;; gradients (f64 at + 16b) and the sample count (f64 at + 16b + 8).
(module
  (import "hist" "memory" (memory 1 65536 shared))

  ;; zeroes [at, at + bytes)
  (func (export "zero") (param $at i32) (param $bytes i32)
    (memory.fill (local.get $at) (i32.const 0) (local.get $bytes)))

  ;; for features [f0, f1) and i < count: row = rows[i] (u32), g = ordered[i] (f32):
  ;; hist[f][bins[f][row]] += (g, 1); eight features per pass over the rows, then one at a time
  (func (export "accIndexed") (param $bins i32) (param $n i32) (param $f0 i32) (param $f1 i32)
      (param $rows i32) (param $count i32) (param $ordered i32) (param $hist i32) (param $stride i32)
    (local $f i32) (local $i i32) (local $row i32) (local $g v128) (local $k i32)
    (local $c0 i32) (local $h0 i32) (local $c1 i32) (local $h1 i32) (local $c2 i32) (local $h2 i32) (local $c3 i32) (local $h3 i32) (local $c4 i32) (local $h4 i32) (local $c5 i32) (local $h5 i32) (local $c6 i32) (local $h6 i32) (local $c7 i32) (local $h7 i32)
    (local.set $f (local.get $f0))
    (block $blocks_done (loop $blocks
      (br_if $blocks_done (i32.gt_s (i32.add (local.get $f) (i32.const 8)) (local.get $f1)))
      (local.set $c0 (i32.add (local.get $bins) (i32.mul (local.get $f) (local.get $n))))
      (local.set $h0 (i32.add (local.get $hist) (i32.mul (local.get $f) (local.get $stride))))
      (local.set $c1 (i32.add (local.get $c0) (local.get $n)))
      (local.set $h1 (i32.add (local.get $h0) (local.get $stride)))
      (local.set $c2 (i32.add (local.get $c1) (local.get $n)))
      (local.set $h2 (i32.add (local.get $h1) (local.get $stride)))
      (local.set $c3 (i32.add (local.get $c2) (local.get $n)))
      (local.set $h3 (i32.add (local.get $h2) (local.get $stride)))
      (local.set $c4 (i32.add (local.get $c3) (local.get $n)))
      (local.set $h4 (i32.add (local.get $h3) (local.get $stride)))
      (local.set $c5 (i32.add (local.get $c4) (local.get $n)))
      (local.set $h5 (i32.add (local.get $h4) (local.get $stride)))
      (local.set $c6 (i32.add (local.get $c5) (local.get $n)))
      (local.set $h6 (i32.add (local.get $h5) (local.get $stride)))
      (local.set $c7 (i32.add (local.get $c6) (local.get $n)))
      (local.set $h7 (i32.add (local.get $h6) (local.get $stride)))
      (local.set $i (i32.const 0))
      (block $rows_done (loop $each_row
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $row (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $g (f64x2.replace_lane 0 (v128.const f64x2 0 1)
          (f64.promote_f32 (f32.load (i32.add (local.get $ordered) (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $k (i32.add (local.get $h0) (i32.shl (i32.load8_u (i32.add (local.get $c0) (local.get $row))) (i32.const 4))))
        (v128.store (local.get $k) (f64x2.add (v128.load (local.get $k)) (local.get $g)))
        (local.set $k (i32.add (local.get $h1) (i32.shl (i32.load8_u (i32.add (local.get $c1) (local.get $row))) (i32.const 4))))
        (v128.store (local.get $k) (f64x2.add (v128.load (local.get $k)) (local.get $g)))
        (local.set $k (i32.add (local.get $h2) (i32.shl (i32.load8_u (i32.add (local.get $c2) (local.get $row))) (i32.const 4))))
        (v128.store (local.get $k) (f64x2.add (v128.load (local.get $k)) (local.get $g)))
        (local.set $k (i32.add (local.get $h3) (i32.shl (i32.load8_u (i32.add (local.get $c3) (local.get $row))) (i32.const 4))))
        (v128.store (local.get $k) (f64x2.add (v128.load (local.get $k)) (local.get $g)))
        (local.set $k (i32.add (local.get $h4) (i32.shl (i32.load8_u (i32.add (local.get $c4) (local.get $row))) (i32.const 4))))
        (v128.store (local.get $k) (f64x2.add (v128.load (local.get $k)) (local.get $g)))
        (local.set $k (i32.add (local.get $h5) (i32.shl (i32.load8_u (i32.add (local.get $c5) (local.get $row))) (i32.const 4))))
        (v128.store (local.get $k) (f64x2.add (v128.load (local.get $k)) (local.get $g)))
        (local.set $k (i32.add (local.get $h6) (i32.shl (i32.load8_u (i32.add (local.get $c6) (local.get $row))) (i32.const 4))))
        (v128.store (local.get $k) (f64x2.add (v128.load (local.get $k)) (local.get $g)))
        (local.set $k (i32.add (local.get $h7) (i32.shl (i32.load8_u (i32.add (local.get $c7) (local.get $row))) (i32.const 4))))
        (v128.store (local.get $k) (f64x2.add (v128.load (local.get $k)) (local.get $g)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each_row)))
      (local.set $f (i32.add (local.get $f) (i32.const 8)))
      (br $blocks)))
    (block $tail_done (loop $tail
      (br_if $tail_done (i32.ge_s (local.get $f) (local.get $f1)))
      (local.set $c0 (i32.add (local.get $bins) (i32.mul (local.get $f) (local.get $n))))
      (local.set $h0 (i32.add (local.get $hist) (i32.mul (local.get $f) (local.get $stride))))
      (local.set $i (i32.const 0))
      (block $rows_done (loop $each_row
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $row (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $g (f64x2.replace_lane 0 (v128.const f64x2 0 1)
          (f64.promote_f32 (f32.load (i32.add (local.get $ordered) (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $k (i32.add (local.get $h0) (i32.shl (i32.load8_u (i32.add (local.get $c0) (local.get $row))) (i32.const 4))))
        (v128.store (local.get $k) (f64x2.add (v128.load (local.get $k)) (local.get $g)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each_row)))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (br $tail))))

  ;; for features [f0, f1) and every row r < n: hist[f][bins[f][r]] += gradients[r] (sums only; the
  ;; root's counts are copied in separately); four features per pass over the rows (eight need more
  ;; registers than x64 has, and V8 recomputed the column addresses: single-threaded fits took 2–3 %
  ;; longer), then one at a time
  (func (export "accAll") (param $bins i32) (param $n i32) (param $f0 i32) (param $f1 i32)
      (param $gradients i32) (param $hist i32) (param $stride i32)
    (local $f i32) (local $i i32) (local $g f64) (local $k i32)
    (local $c0 i32) (local $h0 i32) (local $c1 i32) (local $h1 i32) (local $c2 i32) (local $h2 i32) (local $c3 i32) (local $h3 i32)
    (local.set $f (local.get $f0))
    (block $blocks_done (loop $blocks
      (br_if $blocks_done (i32.gt_s (i32.add (local.get $f) (i32.const 4)) (local.get $f1)))
      (local.set $c0 (i32.add (local.get $bins) (i32.mul (local.get $f) (local.get $n))))
      (local.set $h0 (i32.add (local.get $hist) (i32.mul (local.get $f) (local.get $stride))))
      (local.set $c1 (i32.add (local.get $c0) (local.get $n)))
      (local.set $h1 (i32.add (local.get $h0) (local.get $stride)))
      (local.set $c2 (i32.add (local.get $c1) (local.get $n)))
      (local.set $h2 (i32.add (local.get $h1) (local.get $stride)))
      (local.set $c3 (i32.add (local.get $c2) (local.get $n)))
      (local.set $h3 (i32.add (local.get $h2) (local.get $stride)))
      (local.set $i (i32.const 0))
      (block $rows_done (loop $each_row
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $g (f64.promote_f32 (f32.load (i32.add (local.get $gradients) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $k (i32.add (local.get $h0) (i32.shl (i32.load8_u (i32.add (local.get $c0) (local.get $i))) (i32.const 4))))
        (f64.store (local.get $k) (f64.add (f64.load (local.get $k)) (local.get $g)))
        (local.set $k (i32.add (local.get $h1) (i32.shl (i32.load8_u (i32.add (local.get $c1) (local.get $i))) (i32.const 4))))
        (f64.store (local.get $k) (f64.add (f64.load (local.get $k)) (local.get $g)))
        (local.set $k (i32.add (local.get $h2) (i32.shl (i32.load8_u (i32.add (local.get $c2) (local.get $i))) (i32.const 4))))
        (f64.store (local.get $k) (f64.add (f64.load (local.get $k)) (local.get $g)))
        (local.set $k (i32.add (local.get $h3) (i32.shl (i32.load8_u (i32.add (local.get $c3) (local.get $i))) (i32.const 4))))
        (f64.store (local.get $k) (f64.add (f64.load (local.get $k)) (local.get $g)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each_row)))
      (local.set $f (i32.add (local.get $f) (i32.const 4)))
      (br $blocks)))
    (block $tail_done (loop $tail
      (br_if $tail_done (i32.ge_s (local.get $f) (local.get $f1)))
      (local.set $c0 (i32.add (local.get $bins) (i32.mul (local.get $f) (local.get $n))))
      (local.set $h0 (i32.add (local.get $hist) (i32.mul (local.get $f) (local.get $stride))))
      (local.set $i (i32.const 0))
      (block $rows_done (loop $each_row
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $k (i32.add (local.get $h0) (i32.shl (i32.load8_u (i32.add (local.get $c0) (local.get $i))) (i32.const 4))))
        (f64.store (local.get $k) (f64.add (f64.load (local.get $k))
          (f64.promote_f32 (f32.load (i32.add (local.get $gradients) (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each_row)))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (br $tail))))

  ;; The split scan of two numeric features without missing values at once, one per f64x2 lane:
  ;; splitter.ts' scanNumeric (left to right; missing values, of which there are none, go right) with
  ;; the same arithmetic in each lane, so each lane finds the bin scanNumeric would. Feature A's
  ;; histogram is at $a, B's at $a + $ab ($ab = 0 scans A alone: both lanes are A). Both features have
  ;; the same non-missing bins [0, $nBins); bins [0, $end) are scanned. Each lane keeps its own record,
  ;; starting from the seed ($seedNum / $seedDen: the best split of the features before A); the caller
  ;; offers A's and then B's result to the node's best split, as scanNumeric would in turn.
  ;; With $hasSib, each histogram first becomes itself minus the sibling's (at + $sibDelta), fused
  ;; into the scan (bins [$end, $nBins) and the missing bin at + $missing are subtracted after it).
  ;; The loop tracks only each lane's record score and bin (few live vectors, no spills); the sums
  ;; of the record bins are summed again afterwards, in the scan's order.
  ;; Writes at $out (f64 pairs, lane A then B): best bin (-1: none), gl, nl, score numerator, denominator.
  (func (export "scanPair")
      (param $a i32) (param $ab i32) (param $hasSib i32) (param $sibDelta i32) (param $end i32)
      (param $nBins i32) (param $missing i32) (param $G f64) (param $N f64) (param $l2e f64)
      (param $msl f64) (param $seedNum f64) (param $seedDen f64) (param $out i32)
    (local $b i32) (local $k i32) (local $p0 v128) (local $p1 v128)
    (local $gl v128) (local $nl v128) (local $gr v128) (local $nr v128) (local $hl v128) (local $hr v128)
    (local $num v128) (local $den v128) (local $better v128)
    (local $Gv v128) (local $Nv v128) (local $l2ev v128) (local $mslv v128)
    (local $bestNum v128) (local $bestDen v128) (local $bestBin v128)
    ;; The loop's constant vectors go through memory ($out, written at the end): V8 would otherwise
    ;; splat them again at every use inside the loop, four more vector operations per bin.
    (v128.store offset=0 (local.get $out) (f64x2.splat (local.get $G)))
    (v128.store offset=16 (local.get $out) (f64x2.splat (local.get $N)))
    (v128.store offset=32 (local.get $out) (f64x2.splat (local.get $l2e)))
    (v128.store offset=48 (local.get $out) (f64x2.splat (local.get $msl)))
    (local.set $Gv (v128.load offset=0 (local.get $out)))
    (local.set $Nv (v128.load offset=16 (local.get $out)))
    (local.set $l2ev (v128.load offset=32 (local.get $out)))
    (local.set $mslv (v128.load offset=48 (local.get $out)))
    (local.set $bestNum (f64x2.splat (local.get $seedNum)))
    (local.set $bestDen (f64x2.splat (local.get $seedDen)))
    (local.set $bestBin (f64x2.splat (f64.const -1)))
    (local.set $k (local.get $a))
    (local.set $b (i32.const 0))
    (block $scanned (loop $each_bin
      (br_if $scanned (i32.ge_s (local.get $b) (local.get $end)))
      ;; (g, n) of this bin for A and for B
      (local.set $p0 (v128.load (local.get $k)))
      (local.set $p1 (v128.load (i32.add (local.get $k) (local.get $ab))))
      (if (local.get $hasSib) (then
        (local.set $p0 (f64x2.sub (local.get $p0) (v128.load (i32.add (local.get $k) (local.get $sibDelta)))))
        (local.set $p1 (f64x2.sub (local.get $p1)
          (v128.load (i32.add (i32.add (local.get $k) (local.get $ab)) (local.get $sibDelta)))))
        (v128.store (local.get $k) (local.get $p0))
        (v128.store (i32.add (local.get $k) (local.get $ab)) (local.get $p1))))
      ;; lanes (A, B): gl += g, nl += n
      (local.set $gl (f64x2.add (local.get $gl)
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $p0) (local.get $p1))))
      (local.set $nl (f64x2.add (local.get $nl)
        (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $p0) (local.get $p1))))
      ;; num = gl·gl·hr + gr·gr·hl, den = hl·hr, as scanNumeric computes them; a lane beats its
      ;; record when num·bestDen > bestNum·den and both sides keep minSamplesLeaf samples
      (local.set $nr (f64x2.sub (local.get $Nv) (local.get $nl)))
      (local.set $gr (f64x2.sub (local.get $Gv) (local.get $gl)))
      (local.set $hl (f64x2.add (local.get $nl) (local.get $l2ev)))
      (local.set $hr (f64x2.add (local.get $nr) (local.get $l2ev)))
      (local.set $num (f64x2.add
        (f64x2.mul (f64x2.mul (local.get $gl) (local.get $gl)) (local.get $hr))
        (f64x2.mul (f64x2.mul (local.get $gr) (local.get $gr)) (local.get $hl))))
      (local.set $den (f64x2.mul (local.get $hl) (local.get $hr)))
      (local.set $better
        (f64x2.gt (f64x2.mul (local.get $num) (local.get $bestDen)) (f64x2.mul (local.get $bestNum) (local.get $den))))
      ;; the minSamplesLeaf test only when a score beats a record (rare: the scan starts from the seed)
      (if (v128.any_true (local.get $better)) (then
        (local.set $better (v128.and (local.get $better)
          (f64x2.ge (f64x2.pmin (local.get $nl) (local.get $nr)) (local.get $mslv))))
        (if (v128.any_true (local.get $better)) (then
          (local.set $bestNum (v128.bitselect (local.get $num) (local.get $bestNum) (local.get $better)))
          (local.set $bestDen (v128.bitselect (local.get $den) (local.get $bestDen) (local.get $better)))
          (local.set $bestBin (v128.bitselect (f64x2.splat (f64.convert_i32_s (local.get $b))) (local.get $bestBin) (local.get $better)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $each_bin)))
    (if (local.get $hasSib) (then
      ;; the bins not scanned, then the missing bin: loaded both before storing both, as above ($ab = 0)
      (block $subtracted (loop $each_rest
        (br_if $subtracted (i32.ge_s (local.get $b) (local.get $nBins)))
        (call $subtractPair (local.get $k) (local.get $ab) (local.get $sibDelta))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $each_rest)))
      (call $subtractPair (i32.add (local.get $a) (local.get $missing)) (local.get $ab) (local.get $sibDelta))))
    (v128.store offset=0 (local.get $out) (local.get $bestBin))
    (v128.store offset=48 (local.get $out) (local.get $bestNum))
    (v128.store offset=64 (local.get $out) (local.get $bestDen))
    ;; each record's gl and nl, summed again over bins [0, bin] (now holding what the scan read)
    (call $sumTo (local.get $a) (i32.trunc_f64_s (f64x2.extract_lane 0 (local.get $bestBin))) (local.get $out))
    (call $sumTo (i32.add (local.get $a) (local.get $ab)) (i32.trunc_f64_s (f64x2.extract_lane 1 (local.get $bestBin)))
      (i32.add (local.get $out) (i32.const 8))))

  ;; the sums of bins [0, $last] of the histogram at $h, g into $out + 16 and n into $out + 32 (nothing when $last < 0)
  (func $sumTo (param $h i32) (param $last i32) (param $out i32)
    (local $b i32) (local $gl f64) (local $nl f64)
    (if (i32.lt_s (local.get $last) (i32.const 0)) (then (return)))
    (block $summed (loop $each_bin
      (br_if $summed (i32.gt_s (local.get $b) (local.get $last)))
      (local.set $gl (f64.add (local.get $gl) (f64.load (local.get $h))))
      (local.set $nl (f64.add (local.get $nl) (f64.load offset=8 (local.get $h))))
      (local.set $h (i32.add (local.get $h) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $each_bin)))
    (f64.store offset=16 (local.get $out) (local.get $gl))
    (f64.store offset=32 (local.get $out) (local.get $nl)))

  ;; one bin of A (at $k) and of B (at $k + $ab) minus the sibling's (at + $sibDelta)
  (func $subtractPair (param $k i32) (param $ab i32) (param $sibDelta i32)
    (local $p0 v128) (local $p1 v128)
    (local.set $p0 (f64x2.sub (v128.load (local.get $k)) (v128.load (i32.add (local.get $k) (local.get $sibDelta)))))
    (local.set $p1 (f64x2.sub (v128.load (i32.add (local.get $k) (local.get $ab)))
      (v128.load (i32.add (i32.add (local.get $k) (local.get $ab)) (local.get $sibDelta)))))
    (v128.store (local.get $k) (local.get $p0))
    (v128.store (i32.add (local.get $k) (local.get $ab)) (local.get $p1)))
)
