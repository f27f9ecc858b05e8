/**
 * A head's text into one Buffer. A head is latin1 end to end (RFC 9110 §5.5:
 * field values are octets; obs-text bytes 0x80–0xFF travel as they came).
 *
 * The writers build the head as one string from a handful of pieces (the new
 * start line, runs of received field lines sliced from the parsed text, the
 * proxy's own lines) and turn it into bytes with a single native call.
 * Measured on the bench's heads, that is ~30 % cheaper than allocating the
 * Buffer and writing each piece into it: every write crosses into C++ and
 * flattens its piece anyway, while V8 joins the pieces as a rope and flattens
 * it once. `Buffer.from` (pooled for small sizes) beat `allocUnsafe` plus
 * `write` by another ~70 ns.
 */
export function latin1Buffer(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}
