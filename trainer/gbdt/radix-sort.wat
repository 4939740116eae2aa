;; The binning's argsort (trainer/gbdt/radix-sort.ts), hand-written: an LSD radix argsort of float64
;; values that are all exactly float32, over 32-bit order-preserving keys in three passes of 11, 11
;; and 10 bits, each stable, so the order is the one the JS version it replaces produced. JS spent
;; most of a fit's binning in its scatter loop (bench/README.md, gbdt-vs-sklearn, session 16).
;; Assembled by scripts/gen-wasm.ts into trainer/gbdt/generated/radix-sort-wasm.ts.
;;
;; All offsets are bytes into the imported memory (not shared; sized once, never grown).
(module
  (import "sort" "memory" (memory 1))

  ;; Sorts values[0 .. n) (f64 at $values): returns the byte offset of the ascending order (u32
  ;; indices; at $order or at $orderTmp, whichever the last pass wrote), or -1 when a value is not
  ;; exactly a float32. $keys, $keysTmp, $order and $orderTmp hold n u32 each; $counts 3 × 2048 u32.
  (func (export "argsort") (param $n i32) (param $values i32) (param $keys i32) (param $keysTmp i32)
      (param $order i32) (param $orderTmp i32) (param $counts i32) (result i32)
    (local $i i32) (local $v f64) (local $f f32) (local $key i32) (local $at i32)
    (local $pass i32) (local $shift i32) (local $base i32) (local $size i32) (local $d i32)
    (local $c i32) (local $sum i32) (local $skip i32) (local $slot i32) (local $swap i32)
    (memory.fill (local.get $counts) (i32.const 0) (i32.const 24576))
    ;; keys: the float32 bits, flipped so that unsigned order is numeric order; digit counts
    (block $keyed (loop $each_value
      (br_if $keyed (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $v (f64.load (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $f (f32.demote_f64 (local.get $v)))
      (if (f64.ne (f64.promote_f32 (local.get $f)) (local.get $v)) (then (return (i32.const -1))))
      (local.set $key (i32.reinterpret_f32 (local.get $f)))
      (local.set $key (select
        (i32.xor (local.get $key) (i32.const -1))
        (i32.or (local.get $key) (i32.const 0x80000000))
        (i32.lt_s (local.get $key) (i32.const 0))))
      (local.set $at (i32.shl (local.get $i) (i32.const 2)))
      (i32.store (i32.add (local.get $keys) (local.get $at)) (local.get $key))
      (i32.store (i32.add (local.get $order) (local.get $at)) (local.get $i))
      (local.set $slot (i32.add (local.get $counts) (i32.shl (i32.and (local.get $key) (i32.const 0x7ff)) (i32.const 2))))
      (i32.store (local.get $slot) (i32.add (i32.load (local.get $slot)) (i32.const 1)))
      (local.set $slot (i32.add (local.get $counts)
        (i32.shl (i32.add (i32.const 2048) (i32.and (i32.shr_u (local.get $key) (i32.const 11)) (i32.const 0x7ff))) (i32.const 2))))
      (i32.store (local.get $slot) (i32.add (i32.load (local.get $slot)) (i32.const 1)))
      (local.set $slot (i32.add (local.get $counts)
        (i32.shl (i32.add (i32.const 4096) (i32.shr_u (local.get $key) (i32.const 22))) (i32.const 2))))
      (i32.store (local.get $slot) (i32.add (i32.load (local.get $slot)) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each_value)))
    (block $passes_done (loop $each_pass
      (br_if $passes_done (i32.ge_u (local.get $pass) (i32.const 3)))
      (local.set $shift (i32.mul (local.get $pass) (i32.const 11)))
      (local.set $base (i32.add (local.get $counts) (i32.mul (local.get $pass) (i32.const 8192))))
      (local.set $size (select (i32.const 1024) (i32.const 2048) (i32.eq (local.get $pass) (i32.const 2))))
      ;; counts become start positions; a digit every key shares would move nothing
      (local.set $sum (i32.const 0))
      (local.set $skip (i32.const 0))
      (local.set $d (i32.const 0))
      (block $summed (loop $each_digit
        (br_if $summed (i32.ge_u (local.get $d) (local.get $size)))
        (local.set $slot (i32.add (local.get $base) (i32.shl (local.get $d) (i32.const 2))))
        (local.set $c (i32.load (local.get $slot)))
        (if (i32.eq (local.get $c) (local.get $n)) (then (local.set $skip (i32.const 1))))
        (i32.store (local.get $slot) (local.get $sum))
        (local.set $sum (i32.add (local.get $sum) (local.get $c)))
        (local.set $d (i32.add (local.get $d) (i32.const 1)))
        (br $each_digit)))
      (if (i32.eqz (local.get $skip)) (then
        (local.set $i (i32.const 0))
        (block $scattered (loop $each_key
          (br_if $scattered (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $at (i32.shl (local.get $i) (i32.const 2)))
          (local.set $key (i32.load (i32.add (local.get $keys) (local.get $at))))
          (local.set $slot (i32.add (local.get $base)
            (i32.shl (i32.and (i32.shr_u (local.get $key) (local.get $shift)) (i32.const 0x7ff)) (i32.const 2))))
          (local.set $d (i32.load (local.get $slot)))
          (i32.store (local.get $slot) (i32.add (local.get $d) (i32.const 1)))
          (local.set $d (i32.shl (local.get $d) (i32.const 2)))
          (i32.store (i32.add (local.get $keysTmp) (local.get $d)) (local.get $key))
          (i32.store (i32.add (local.get $orderTmp) (local.get $d)) (i32.load (i32.add (local.get $order) (local.get $at))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $each_key)))
        ;; the pass's output is the next pass's input
        (local.set $swap (local.get $keys))
        (local.set $keys (local.get $keysTmp))
        (local.set $keysTmp (local.get $swap))
        (local.set $swap (local.get $order))
        (local.set $order (local.get $orderTmp))
        (local.set $orderTmp (local.get $swap))))
      (local.set $pass (i32.add (local.get $pass) (i32.const 1)))
      (br $each_pass)))
    (local.get $order))
)
