;; Never returns: only fuel (or an epoch deadline) stops it.
(module
  (func (export "spin")
    (loop $l (br $l))))
