//! Unsigned LEB128 varints, minimal form only (one encoding per number).

/// Appends `value` as an unsigned LEB128 varint.
pub(crate) fn put(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Bytes [`put`] writes for `value`.
pub(crate) fn len(value: u64) -> usize {
    let bits = 64 - value.leading_zeros() as usize;
    bits.div_ceil(7).max(1)
}

/// Reads a minimal varint from the front of `input`, advancing it. `None` if
/// it is truncated, longer than 64 bits, or not in its shortest form.
pub(crate) fn take(input: &mut &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    for (i, &byte) in input.iter().enumerate().take(10) {
        let part = u64::from(byte & 0x7f);
        let shift = 7 * i as u32;
        if shift == 63 && part > 1 {
            return None;
        }
        value |= part << shift;
        if byte & 0x80 == 0 {
            if byte == 0 && i > 0 {
                return None;
            }
            *input = &input[i + 1..];
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_lengths() {
        for v in [0, 1, 127, 128, 300, 1 << 35, u64::MAX - 1, u64::MAX] {
            let mut out = Vec::new();
            put(&mut out, v);
            assert_eq!(out.len(), len(v), "{v}");
            let mut input = out.as_slice();
            assert_eq!(take(&mut input), Some(v));
            assert!(input.is_empty());
        }
    }

    #[test]
    fn rejects_overlong_truncated_and_overflowing() {
        for bad in [&[0x80, 0x00][..], &[0x80], &[0xff; 10], &[0xff; 11], &[]] {
            let mut input = bad;
            assert_eq!(take(&mut input), None, "{bad:?}");
        }
    }
}
