;; A module with a memory, a data segment and a start-less `_start`: running it
;; without `--invoke` calls `_start`, which stores the length of the greeting at
;; address 0 and returns. `greeting_len` reads it back.
;;   tern run examples/hello.wat                          # prints nothing
;;   tern run examples/hello.wat --invoke greeting_len    # prints 13
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello, world!")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 13)))
  (func (export "greeting_len") (result i32)
    (call 0)
    (i32.load (i32.const 0))))
