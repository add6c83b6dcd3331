;; A loop-heavy function: 200 million iterations of integer arithmetic, compare and
;; branch, with no arguments. Returns the sum of (i * i) xor (i >> 3) over i as an i64.
(module
  (func (export "run") (result i64)
    (local $i i32)
    (local $sum i64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 200000000)))
        (local.set $sum
          (i64.add (local.get $sum)
            (i64.extend_i32_u
              (i32.xor (i32.mul (local.get $i) (local.get $i))
                       (i32.shr_u (local.get $i) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
