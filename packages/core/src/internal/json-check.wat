;; The one-scan check of a JSON-looking text (RuleSet.jsonChangeFrom), as a filter: `next` returns
;; the next position at which the `json-or-text` trigger or the embedded-document search may match,
;; and the caller runs the regular expression there (sticky). A position it skips is one where
;; neither can match, so the filter never changes what the check finds, only how soon. The
;; free-text and raw-JSON triggers use it too: whatever they match, that trigger matches there.
;;
;; The text is at TEXT, a byte per character, with zero bytes before and after: a text V8 holds a
;; byte per character as it is (Latin-1, written by the caller, who writes the zeros after it too),
;; any other through `narrow`. A byte of 128 or more stands for a character past ASCII either way,
;; and every table treats all such bytes alike.
;; Sixteen bytes at a time, a byte whose class (FLAGS) is not zero is looked at; the tables the
;; caller fills (json-check.ts) say what must surround it for an alternative to match:
;;   1  B2: the two bytes ending at it      (a literal keyed on its second character, `hf_`)
;;   2  B3: the three bytes ending at it    (a literal keyed further in, `glpat-`; `tok` of `token`)
;;   4  A2: the two bytes starting at it    (`:/` of a URL, `\u`)
;;   8  A3: the three bytes starting at it  (a literal keyed on its first character, `AKIA`; `Bea`)
;;  16  `:` or `=`: a quoted key holding a secret word, or an assignment to a name holding one
;;  32  `,`: a call's quoted argument name holding a secret word
;;  64  `{` or `[`: a string that opens a document
;; Tables of three bytes are hashed, H3(a, b, c) = (a * 1129 ^ b * 37 ^ c) & 32767; of two exact,
;; H2(a, b) = ((a << 7) | b) & 32767. WT holds the secret words' chosen three letters, lower-cased,
;; hashed alike; one in a name is what 16 and 32 look for. Both hashes, the reads of a table's
;; bit (`i32.load8_u offset=<table>` of the hash over 8, shifted by its last three bits), the
;; reads of CLASS (`i32.load8_u offset=512`), the check of each byte looked at (in `collect`) and
;; the first test of a `,` or `{` site are written out where they are used, not called: V8 inlines
;; a call only once it has counted it often enough in the texts read first, and within a budget
;; that it keeps small for a module, like this one, with few functions under 50 bytes; and each
;; call that is not inlined reloads `collect`'s values from its stack after it returns.
;; The module uses relaxed SIMD (`i8x16.relaxed_swizzle`), which V8 has run since 11.4 (Node 21;
;; runtrace needs 22.19); where it cannot be compiled, JsonCheck.create() returns undefined and the
;; regular expressions read every text themselves.
(module
  (memory (export "memory") 1)

  ;; Layout (bytes): FLAGS 0, LO 256, HI 272, RULES 288, CLASS 512, B2 1024, B3 5120, A2 9216, A3 13312,
  ;; WT 17408, MASKS 21504 (sixteen vectors: vector n keeps the bytes after byte n), KEYS 22016,
  ;; OUT 24576 (the positions `collect` finds, 1024 at most; then at 28672 how many, and at 28676
  ;; the most it may write),
  ;; TEXT 32768 (the 16 bytes before it stay zero). CLASS: 1 a name character [A-Za-z0-9_.-],
  ;; 2 white space, 4 a character the key rules drop inside a word ([-_.] and white space), 8 a
  ;; character that may stand right before a call's `,` or an embedded `{` or `[` (white space,
  ;; a quote or an apostrophe, and `n`, `t`, `r`, which end the escapes \n, \t, \r); 128 to 255,
  ;; which stand for any character past ASCII, are 2, 4 and 8.

  ;; Back from $i over white space and the escapes \n, \t, \r; returns where that stops.
  (func $skipBack (param $i i32) (result i32)
    (local $c i32)
    (block $done
      (loop $again
        (br_if $done (i32.lt_u (local.get $i) (i32.const 32768)))
        (local.set $c (i32.load8_u (local.get $i)))
        (if (i32.and (i32.load8_u offset=512 (local.get $c)) (i32.const 2))
          (then (local.set $i (i32.sub (local.get $i) (i32.const 1))) (br $again)))
        (if (i32.and
              (i32.or (i32.eq (local.get $c) (i32.const 110)) (i32.or (i32.eq (local.get $c) (i32.const 116)) (i32.eq (local.get $c) (i32.const 114))))
              (i32.eq (i32.load8_u (i32.sub (local.get $i) (i32.const 1))) (i32.const 92)))
          (then (local.set $i (i32.sub (local.get $i) (i32.const 2))) (br $again)))))
    (local.get $i))

  ;; Whether the run of name characters ending at $i holds three letters of WT.
  (func $runHasWord (param $i i32) (result i32)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c i32) (local $h i32)
    (block $done
      (loop $again
        (br_if $done (i32.lt_u (local.get $i) (i32.const 32768)))
        (local.set $c (i32.load8_u (local.get $i)))
        (br_if $done (i32.eqz (i32.and (i32.load8_u offset=512 (local.get $c)) (i32.const 1))))
        (local.set $c0 (i32.or (local.get $c) (i32.const 32)))
        (if (i32.ne (local.get $c2) (i32.const 0))
          (then
            (if (i32.and (i32.shr_u (i32.load8_u offset=17408 (i32.shr_u (local.tee $h (i32.and (i32.xor (i32.xor (i32.mul (local.get $c0) (i32.const 1129)) (i32.mul (local.get $c1) (i32.const 37))) (local.get $c2)) (i32.const 32767))) (i32.const 3))) (i32.and (local.get $h) (i32.const 7))) (i32.const 1))
              (then (return (i32.const 1))))))
        (local.set $c2 (local.get $c1))
        (local.set $c1 (local.get $c0))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $again)))
    (i32.const 0))

  ;; Whether the quoted text before the quote at $j holds three letters of WT once the characters
  ;; the key rules drop are left out, or a backslash, or a character past ASCII (a byte of 128 or
  ;; more: the Kelvin sign is a `k` to the key rules).
  (func $keyHasWord (param $j i32) (result i32)
    (local $k i32) (local $c i32) (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $h i32)
    (local.set $k (i32.sub (local.get $j) (i32.const 1)))
    (block $done
      (loop $again
        (br_if $done (i32.lt_u (local.get $k) (i32.const 32768)))
        (local.set $c (i32.load8_u (local.get $k)))
        (br_if $done (i32.eq (local.get $c) (i32.const 34)))
        (if (i32.or (i32.eq (local.get $c) (i32.const 92)) (i32.ge_u (local.get $c) (i32.const 128))) (then (return (i32.const 1))))
        (if (i32.eqz (i32.and (i32.load8_u offset=512 (local.get $c)) (i32.const 4)))
          (then
            (local.set $c0 (i32.or (local.get $c) (i32.const 32)))
            (if (i32.ne (local.get $c2) (i32.const 0))
              (then
                (if (i32.and (i32.shr_u (i32.load8_u offset=17408 (i32.shr_u (local.tee $h (i32.and (i32.xor (i32.xor (i32.mul (local.get $c0) (i32.const 1129)) (i32.mul (local.get $c1) (i32.const 37))) (local.get $c2)) (i32.const 32767))) (i32.const 3))) (i32.and (local.get $h) (i32.const 7))) (i32.const 1))
                  (then (return (i32.const 1))))))
            (local.set $c2 (local.get $c1))
            (local.set $c1 (local.get $c0))))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br $again)))
    (i32.const 0))

  ;; $keyHasWord through a memo of keys found clean: a key of at most fifteen characters (the
  ;; sixteen bytes before its closing quote at $j hold its opening quote) is read as one vector,
  ;; the bytes before the opening quote cleared and its length put in their place, and looked up
  ;; in KEYS (64 vectors, by its length and last two characters). Keys repeat from object to object.
  (func $quotedKeyHasWord (param $j i32) (result i32)
    (local $v v128) (local $quotes i32) (local $open i32) (local $slot i32)
    (local.set $v (v128.load (i32.sub (local.get $j) (i32.const 16))))
    (local.set $quotes (i8x16.bitmask (i8x16.eq (local.get $v) (v128.const i8x16 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34))))
    ;; The opening quote must lie inside the text (the bytes before it are zeros, never quotes).
    (if (i32.eqz (local.get $quotes)) (then (return (call $keyHasWord (local.get $j)))))
    (local.set $open (i32.sub (i32.const 31) (i32.clz (local.get $quotes))))
    (local.set $v
      (i8x16.replace_lane 0
        (v128.and (local.get $v) (v128.load (i32.add (i32.const 21504) (i32.shl (local.get $open) (i32.const 4)))))
        (i32.add (local.get $open) (i32.const 1))))
    ;; The slot: from the key's length and its last two characters (read as bytes, not out of the
    ;; vector, which costs more).
    (local.set $slot
      (i32.add (i32.const 22016)
        (i32.shl
          (i32.and
            (i32.xor (i32.mul (local.get $open) (i32.const 7))
              (i32.xor (i32.load8_u (i32.sub (local.get $j) (i32.const 1))) (i32.shl (i32.load8_u (i32.sub (local.get $j) (i32.const 2))) (i32.const 1))))
            (i32.const 63))
          (i32.const 4))))
    (if (i32.eqz (v128.any_true (v128.xor (local.get $v) (v128.load (local.get $slot)))))
      (then (return (i32.const 0))))
    (if (call $keyHasWord (local.get $j)) (then (return (i32.const 1))))
    (v128.store (local.get $slot) (local.get $v))
    (i32.const 0))

  ;; `:` or `=` at $i.
  (func $assignSite (param $i i32) (result i32)
    (local $j i32) (local $c i32)
    ;; A name character right before, other than the `n`, `t`, `r` an escape may end with: no
    ;; quoted key, and the name ends there.
    (local.set $c (i32.load8_u (i32.sub (local.get $i) (i32.const 1))))
    (if (i32.eq (i32.and (i32.load8_u offset=512 (local.get $c)) (i32.const 9)) (i32.const 1))
      (then (return (call $runHasWord (i32.sub (local.get $i) (i32.const 1))))))
    ;; A quoted key: `"` and white space before it.
    (local.set $j (i32.sub (local.get $i) (i32.const 1)))
    (block $spaces
      (loop $again
        (br_if $spaces (i32.lt_u (local.get $j) (i32.const 32768)))
        (br_if $spaces (i32.eqz (i32.and (i32.load8_u offset=512 (i32.load8_u (local.get $j))) (i32.const 2))))
        (local.set $j (i32.sub (local.get $j) (i32.const 1)))
        (br $again)))
    (if (i32.ge_u (local.get $j) (i32.const 32768))
      (then
        (if (i32.eq (i32.load8_u (local.get $j)) (i32.const 34))
          (then
            (if (call $quotedKeyHasWord (local.get $j)) (then (return (i32.const 1))))
            ;; The assignment below would need `\"` there: white space before a quote is all
            ;; it may skip.
            (if (i32.ne (i32.load8_u (i32.sub (local.get $j) (i32.const 1))) (i32.const 92)) (then (return (i32.const 0))))))))
    ;; An assignment: name, then `\"` or `'` or nothing, then white space or escapes.
    (local.set $j (call $skipBack (i32.sub (local.get $i) (i32.const 1))))
    (if (i32.lt_u (local.get $j) (i32.const 32768)) (then (return (i32.const 0))))
    (local.set $c (i32.load8_u (local.get $j)))
    (if (i32.eq (local.get $c) (i32.const 39))
      (then (local.set $j (i32.sub (local.get $j) (i32.const 1))))
      (else
        (if (i32.eq (local.get $c) (i32.const 34))
          (then
            (if (i32.ne (i32.load8_u (i32.sub (local.get $j) (i32.const 1))) (i32.const 92)) (then (return (i32.const 0))))
            (local.set $j (i32.sub (local.get $j) (i32.const 2)))))))
    (call $runHasWord (local.get $j)))

  ;; `,` at $i: name, then `\"`, `"` or `'`, then white space or escapes.
  (func $callSite (param $i i32) (result i32)
    (local $j i32) (local $c i32)
    (if (i32.eqz (i32.and (i32.load8_u offset=512 (i32.load8_u (i32.sub (local.get $i) (i32.const 1)))) (i32.const 8)))
      (then (return (i32.const 0))))
    (local.set $j (call $skipBack (i32.sub (local.get $i) (i32.const 1))))
    (if (i32.lt_u (local.get $j) (i32.const 32768)) (then (return (i32.const 0))))
    (local.set $c (i32.load8_u (local.get $j)))
    (if (i32.eq (local.get $c) (i32.const 39))
      (then (local.set $j (i32.sub (local.get $j) (i32.const 1))))
      (else
        (if (i32.ne (local.get $c) (i32.const 34)) (then (return (i32.const 0))))
        (if (i32.eq (i32.load8_u (i32.sub (local.get $j) (i32.const 1))) (i32.const 92))
          (then (local.set $j (i32.sub (local.get $j) (i32.const 2))))
          (else (local.set $j (i32.sub (local.get $j) (i32.const 1)))))))
    (call $runHasWord (local.get $j)))

  ;; `{` or `[` at $i: `"`, then spaces or the escapes \n, \r, \t.
  (func $embeddedSite (param $i i32) (result i32)
    (local $j i32) (local $c i32)
    (if (i32.eqz (i32.and (i32.load8_u offset=512 (i32.load8_u (i32.sub (local.get $i) (i32.const 1)))) (i32.const 8)))
      (then (return (i32.const 0))))
    (local.set $j (i32.sub (local.get $i) (i32.const 1)))
    (block $done
      (loop $again
        (br_if $done (i32.lt_u (local.get $j) (i32.const 32768)))
        (local.set $c (i32.load8_u (local.get $j)))
        (if (i32.eq (local.get $c) (i32.const 32))
          (then (local.set $j (i32.sub (local.get $j) (i32.const 1))) (br $again)))
        (if (i32.and
              (i32.or (i32.eq (local.get $c) (i32.const 110)) (i32.or (i32.eq (local.get $c) (i32.const 116)) (i32.eq (local.get $c) (i32.const 114))))
              (i32.eq (i32.load8_u (i32.sub (local.get $j) (i32.const 1))) (i32.const 92)))
          (then (local.set $j (i32.sub (local.get $j) (i32.const 2))) (br $again)))
        (return (i32.eq (local.get $c) (i32.const 34)))))
    (i32.const 0))

  ;; Copies the text in: its UTF-16 code units, at $src (written by the caller; TEXT itself, or
  ;; anywhere past where the bytes go), become one byte
  ;; each at TEXT, ASCII as it is and anything else 128, which the tables treat as white space that
  ;; may also stand for a letter of a word (a Unicode space, the Kelvin sign); positions stay the
  ;; text's. Then zero bytes after it.
  (func (export "narrow") (param $src i32) (param $len i32)
    (local $dst i32) (local $end i32) (local $top v128)
    (local.set $dst (i32.const 32768))
    (local.set $end (i32.add (i32.const 32768) (local.get $len)))
    (local.set $top (v128.const i16x8 128 128 128 128 128 128 128 128))
    (block $done
      (loop $units
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (v128.store (local.get $dst)
          (i8x16.narrow_i16x8_u
            (i16x8.min_u (v128.load (local.get $src)) (local.get $top))
            (i16x8.min_u (v128.load (i32.add (local.get $src) (i32.const 16))) (local.get $top))))
        (local.set $src (i32.add (local.get $src) (i32.const 32)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $units)))
    (v128.store (local.get $end) (v128.const i64x2 0 0)))

  ;; The positions at or after $from (text positions, 0-based) where a match may start, in order:
  ;; up to $max of them, written to OUT as i32; returns how many. Fewer than $max: the text has no
  ;; more. Sixteen bytes at a time, four at once: a byte is looked at when its class is not zero
  ;; (LO, HI: a bit per high nibble, set per low nibble). RULES (two bytes each) names two
  ;; characters looked at only after another in either case (`p` after `a` or `A`, for `dap`; `k`
  ;; after `o` or `O`).
  (func (export "collect") (param $len i32) (param $from i32) (param $max i32) (result i32)
    (local $lo v128) (local $hi v128) (local $nib v128) (local $zero v128) (local $v v128) (local $p v128)
    (local $r1 v128) (local $r1p v128) (local $r2 v128) (local $r2p v128) (local $lower v128)
    (local $block i32) (local $end i32) (local $at i32) (local $mask i64) (local $pos i32) (local $b i32) (local $f i32) (local $h i32)
    (local.set $lo (v128.load (i32.const 256)))
    (local.set $hi (v128.load (i32.const 272)))
    (local.set $nib (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $zero (v128.const i64x2 0 0))
    (local.set $r1 (i8x16.splat (i32.load8_u (i32.const 288))))
    (local.set $r1p (i8x16.splat (i32.load8_u (i32.const 289))))
    (local.set $r2 (i8x16.splat (i32.load8_u (i32.const 290))))
    (local.set $r2p (i8x16.splat (i32.load8_u (i32.const 291))))
    (local.set $lower (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))
    (i32.store (i32.const 28672) (i32.const 0))
    (i32.store (i32.const 28676) (local.get $max))
    (local.set $end (i32.add (i32.const 32768) (local.get $len)))
    (local.set $at (i32.add (i32.const 32768) (local.get $from)))
    (local.set $block (i32.add (i32.const 32768) (i32.and (local.get $from) (i32.const -16))))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $block) (local.get $end)))
        ;; The bytes not looked at, then every other one: the bitmask of a comparison with zero
        ;; and the bytes the rules leave out, turned over once for all four vectors (a `ne` would
        ;; cost each vector a turn of its own). The nibbles index the tables with `relaxed_swizzle`,
        ;; which is `pshufb` alone: an index is never past 15 here, where `swizzle` must first
        ;; make such an index zero its byte. The high nibble is shifted sixteen bits at a time and
        ;; masked with $nib, which stays in a register (`i8x16.shr_u` builds its mask every time).
        (local.set $mask
          (i64.xor
            (i64.or
              (i64.or
                (i64.extend_i32_u (i8x16.bitmask
                (v128.or
                  (i8x16.eq
                    (v128.and
                      (i8x16.relaxed_swizzle (local.get $lo) (v128.and (local.tee $v (v128.load (local.get $block))) (local.get $nib)))
                      (i8x16.relaxed_swizzle (local.get $hi) (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $nib))))
                    (local.get $zero))
                  (v128.or
                    (v128.andnot (i8x16.eq (local.get $v) (local.get $r1))
                      (i8x16.eq (local.tee $p (v128.or (v128.load (i32.sub (local.get $block) (i32.const 1))) (local.get $lower))) (local.get $r1p)))
                    (v128.andnot (i8x16.eq (local.get $v) (local.get $r2)) (i8x16.eq (local.get $p) (local.get $r2p)))))))
                (i64.shl (i64.extend_i32_u (i8x16.bitmask
                (v128.or
                  (i8x16.eq
                    (v128.and
                      (i8x16.relaxed_swizzle (local.get $lo) (v128.and (local.tee $v (v128.load (i32.add (local.get $block) (i32.const 16)))) (local.get $nib)))
                      (i8x16.relaxed_swizzle (local.get $hi) (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $nib))))
                    (local.get $zero))
                  (v128.or
                    (v128.andnot (i8x16.eq (local.get $v) (local.get $r1))
                      (i8x16.eq (local.tee $p (v128.or (v128.load (i32.add (local.get $block) (i32.const 15))) (local.get $lower))) (local.get $r1p)))
                    (v128.andnot (i8x16.eq (local.get $v) (local.get $r2)) (i8x16.eq (local.get $p) (local.get $r2p))))))) (i64.const 16)))
              (i64.or
                (i64.shl (i64.extend_i32_u (i8x16.bitmask
                (v128.or
                  (i8x16.eq
                    (v128.and
                      (i8x16.relaxed_swizzle (local.get $lo) (v128.and (local.tee $v (v128.load (i32.add (local.get $block) (i32.const 32)))) (local.get $nib)))
                      (i8x16.relaxed_swizzle (local.get $hi) (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $nib))))
                    (local.get $zero))
                  (v128.or
                    (v128.andnot (i8x16.eq (local.get $v) (local.get $r1))
                      (i8x16.eq (local.tee $p (v128.or (v128.load (i32.add (local.get $block) (i32.const 31))) (local.get $lower))) (local.get $r1p)))
                    (v128.andnot (i8x16.eq (local.get $v) (local.get $r2)) (i8x16.eq (local.get $p) (local.get $r2p))))))) (i64.const 32))
                (i64.shl (i64.extend_i32_u (i8x16.bitmask
                (v128.or
                  (i8x16.eq
                    (v128.and
                      (i8x16.relaxed_swizzle (local.get $lo) (v128.and (local.tee $v (v128.load (i32.add (local.get $block) (i32.const 48)))) (local.get $nib)))
                      (i8x16.relaxed_swizzle (local.get $hi) (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $nib))))
                    (local.get $zero))
                  (v128.or
                    (v128.andnot (i8x16.eq (local.get $v) (local.get $r1))
                      (i8x16.eq (local.tee $p (v128.or (v128.load (i32.add (local.get $block) (i32.const 47))) (local.get $lower))) (local.get $r1p)))
                    (v128.andnot (i8x16.eq (local.get $v) (local.get $r2)) (i8x16.eq (local.get $p) (local.get $r2p))))))) (i64.const 48))))
            (i64.const -1)))
        (if (i64.ne (local.get $mask) (i64.const 0))
          (then
            (block $bits
              (loop $bit
                (br_if $bits (i64.eqz (local.get $mask)))
                (local.set $pos (i32.add (local.get $block) (i32.wrap_i64 (i64.ctz (local.get $mask)))))
                (if (i32.ge_u (local.get $pos) (local.get $end)) (then (return (i32.load (i32.const 28672)))))
                ;; A byte looked at, written out here rather than called: the literals its
                ;; character keys (table flags 1-8), then the site it may stand at (16-64).
                (if (i32.ge_u (local.get $pos) (local.get $at))
                  (then
                    (if (block $candidate (result i32)
                      (local.set $b (i32.load8_u (local.get $pos)))
                      (local.set $f (i32.load8_u (local.get $b)))
                      (if (i32.and (local.get $f) (i32.const 15))
                        (then
                          (if (i32.and (local.get $f) (i32.const 1))
                            (then (if (i32.and (i32.shr_u (i32.load8_u offset=1024 (i32.shr_u (local.tee $h (i32.and (i32.or (i32.shl (i32.load8_u (i32.sub (local.get $pos) (i32.const 1))) (i32.const 7)) (local.get $b)) (i32.const 32767))) (i32.const 3))) (i32.and (local.get $h) (i32.const 7))) (i32.const 1))
                              (then (br $candidate (i32.const 1))))))
                          (if (i32.and (local.get $f) (i32.const 2))
                            (then (if (i32.and (i32.shr_u (i32.load8_u offset=5120 (i32.shr_u (local.tee $h (i32.and (i32.xor (i32.xor (i32.mul (i32.load8_u (i32.sub (local.get $pos) (i32.const 2))) (i32.const 1129)) (i32.mul (i32.load8_u (i32.sub (local.get $pos) (i32.const 1))) (i32.const 37))) (local.get $b)) (i32.const 32767))) (i32.const 3))) (i32.and (local.get $h) (i32.const 7))) (i32.const 1))
                              (then (br $candidate (i32.const 1))))))
                          (if (i32.and (local.get $f) (i32.const 4))
                            (then (if (i32.and (i32.shr_u (i32.load8_u offset=9216 (i32.shr_u (local.tee $h (i32.and (i32.or (i32.shl (local.get $b) (i32.const 7)) (i32.load8_u (i32.add (local.get $pos) (i32.const 1)))) (i32.const 32767))) (i32.const 3))) (i32.and (local.get $h) (i32.const 7))) (i32.const 1))
                              (then (br $candidate (i32.const 1))))))
                          (if (i32.and (local.get $f) (i32.const 8))
                            (then (if (i32.and (i32.shr_u (i32.load8_u offset=13312 (i32.shr_u (local.tee $h (i32.and (i32.xor (i32.xor (i32.mul (local.get $b) (i32.const 1129)) (i32.mul (i32.load8_u (i32.add (local.get $pos) (i32.const 1))) (i32.const 37))) (i32.load8_u (i32.add (local.get $pos) (i32.const 2)))) (i32.const 32767))) (i32.const 3))) (i32.and (local.get $h) (i32.const 7))) (i32.const 1))
                              (then (br $candidate (i32.const 1))))))))
                      (if (i32.and (local.get $f) (i32.const 16))
                        (then (if (call $assignSite (local.get $pos)) (then (br $candidate (i32.const 1))))))
                      (if (i32.and (local.get $f) (i32.const 32))
                        (then
                          ;; The function's own first test, written out: most of these sites fail it.
                          (if (i32.and (i32.load8_u offset=512 (i32.load8_u (i32.sub (local.get $pos) (i32.const 1)))) (i32.const 8))
                            (then (if (call $callSite (local.get $pos)) (then (br $candidate (i32.const 1))))))))
                      (if (i32.and (local.get $f) (i32.const 64))
                        (then
                          ;; The function's own first test, written out: most of these sites fail it.
                          (if (i32.and (i32.load8_u offset=512 (i32.load8_u (i32.sub (local.get $pos) (i32.const 1)))) (i32.const 8))
                            (then (if (call $embeddedSite (local.get $pos)) (then (br $candidate (i32.const 1))))))))
                      (i32.const 0))
                      (then
                        ;; The count and the most asked for are kept in memory, not in locals:
                        ;; two more values live through the loop cost it registers.
                        (local.set $f (i32.load (i32.const 28672)))
                        (i32.store (i32.add (i32.const 24576) (i32.shl (local.get $f) (i32.const 2)))
                          (i32.sub (local.get $pos) (i32.const 32768)))
                        (local.set $f (i32.add (local.get $f) (i32.const 1)))
                        (i32.store (i32.const 28672) (local.get $f))
                        (if (i32.eq (local.get $f) (i32.load (i32.const 28676))) (then (return (local.get $f))))))))
                (local.set $mask (i64.and (local.get $mask) (i64.sub (local.get $mask) (i64.const 1))))
                (br $bit)))))
        (local.set $block (i32.add (local.get $block) (i32.const 64)))
        (br $blocks)))
    (i32.load (i32.const 28672)))

  ;; How many bytes from $a and from $b on are equal, up to $n: sixteen at a time, then the byte
  ;; that differs. (Up to fifteen bytes past $n may be read; the caller leaves memory there.)
  (func (export "same") (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $i i32) (local $m i32)
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $m
          (i8x16.bitmask (i8x16.eq (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i))))))
        (if (i32.ne (local.get $m) (i32.const 65535))
          (then
            (local.set $i (i32.add (local.get $i) (i32.ctz (i32.xor (local.get $m) (i32.const 65535)))))
            (br $done)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $step)))
    (select (local.get $i) (local.get $n) (i32.lt_u (local.get $i) (local.get $n))))

  ;; How many bytes before $a and before $b are equal, up to $n: sixteen at a time, going back,
  ;; then the byte that differs. (Up to fifteen bytes before $a - $n and $b - $n may be read.)
  (func (export "sameBefore") (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $i i32) (local $m i32)
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (local.set $m
          (i8x16.bitmask (i8x16.eq (v128.load (i32.sub (local.get $a) (local.get $i))) (v128.load (i32.sub (local.get $b) (local.get $i))))))
        (if (i32.ne (local.get $m) (i32.const 65535))
          (then
            ;; The highest byte that differs: the bytes above it, in this vector, are equal.
            (local.set $i (i32.sub (i32.sub (local.get $i) (i32.const 16)) (i32.sub (i32.const 31) (i32.clz (i32.xor (local.get $m) (i32.const 65535))))))
            (local.set $i (i32.add (local.get $i) (i32.const 15)))
            (br $done)))
        (br $step)))
    (select (local.get $i) (local.get $n) (i32.lt_u (local.get $i) (local.get $n))))

  ;; The first position at or after $from (text positions) of a control character (U+0000 to
  ;; U+001F), or -1: sixteen bytes at a time. The zero bytes after the text end the search.
  (func (export "control") (param $len i32) (param $from i32) (result i32)
    (local $p i32) (local $end i32) (local $m i32)
    (local.set $p (i32.add (i32.const 32768) (local.get $from)))
    (local.set $end (i32.add (i32.const 32768) (local.get $len)))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $m
          (i8x16.bitmask
            (i8x16.lt_u (v128.load (local.get $p)) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))))
        (if (local.get $m)
          (then
            (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $m))))
            (br $done)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $step)))
    (if (result i32) (i32.lt_u (local.get $p) (local.get $end))
      (then (i32.sub (local.get $p) (i32.const 32768)))
      (else (i32.const -1))))
)
