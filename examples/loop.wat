;; A loop-heavy function: the sum of i*i for i in [0, n), as an i64.
;;   tern run examples/loop.wat --invoke sum_squares 1000    # prints 332833500
(module
  (func (export "sum_squares") (param $n i32) (result i64)
    (local $i i32)
    (local $sum i64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum
          (i64.add (local.get $sum)
            (i64.mul (i64.extend_i32_u (local.get $i))
                     (i64.extend_i32_u (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
