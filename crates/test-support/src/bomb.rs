//! Decompression bombs for the tests: a valid PNG of all-zero 16-bit RGBA pixels whose deflate stream
//! is written by hand with one-bit and two-bit Huffman codes, so 258 zero bytes cost two bits and a
//! 12,000 × 12,000 image (1.15 GB decoded) is a 1.1 MB file made in milliseconds, without ever
//! holding the pixels.

/// A PNG of `width` × `height` 16-bit RGBA pixels, every sample zero.
pub fn png_rgba16(width: u32, height: u32) -> Vec<u8> {
    let row = 1 + u64::from(width) * 8; // the filter byte, then 8 bytes a pixel
    let raw_len = row * u64::from(height);
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[16, 6, 0, 0, 0]); // depth 16, RGBA, deflate, no filter, no interlace
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib_zeros(raw_len));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// Bits written least-significant first, as deflate packs them.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    count: u32,
}

impl Bits {
    fn put(&mut self, value: u64, count: u32) {
        self.acc |= value << self.count;
        self.count += count;
        while self.count >= 8 {
            self.out.push((self.acc & 0xFF) as u8);
            self.acc >>= 8;
            self.count -= 8;
        }
    }

    /// A Huffman code goes in most-significant bit first.
    fn code(&mut self, code: u64, len: u32) {
        let reversed = (0..len).fold(0, |r, i| r | (((code >> i) & 1) << (len - 1 - i)));
        self.put(reversed, len);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.out.push((self.acc & 0xFF) as u8);
        }
        self.out
    }
}

/// A zlib stream of `n` zero bytes: one dynamic-Huffman block whose alphabet is literal 0 (code 10),
/// end of block (11) and length 258 (0), with the single distance 1 (0).
fn zlib_zeros(n: u64) -> Vec<u8> {
    let mut bits = Bits::default();
    bits.put(1, 1); // final block
    bits.put(2, 2); // dynamic Huffman
    bits.put(29, 5); // HLIT: 286 literal/length codes
    bits.put(0, 5); // HDIST: 1 distance code
    bits.put(14, 4); // HCLEN: 18 code-length code lengths
    // Code-length alphabet in its transmission order; 18 (a run of zeros) gets 1 bit, 1 and 2 get 2.
    for symbol in [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1] {
        let len = match symbol {
            18 => 1,
            1 | 2 => 2,
            _ => 0,
        };
        bits.put(len, 3);
    }
    // Canonical codes of that alphabet: 18 → 0, 1 → 10, 2 → 11.
    let length = |bits: &mut Bits, len: u8| match len {
        1 => bits.code(0b10, 2),
        _ => bits.code(0b11, 2),
    };
    let zeros = |bits: &mut Bits, run: u64| {
        bits.code(0, 1);
        bits.put(run - 11, 7);
    };
    length(&mut bits, 2); // literal 0
    zeros(&mut bits, 138); // literals 1–138
    zeros(&mut bits, 117); // literals 139–255
    length(&mut bits, 2); // end of block
    zeros(&mut bits, 28); // lengths 257–284
    length(&mut bits, 1); // length 285 (258 bytes)
    length(&mut bits, 1); // distance code 0 (distance 1)
    // Data: a literal zero, then copies of 258 from one back, then the remainder as literals.
    if n > 0 {
        bits.code(0b10, 2);
        let rest = n - 1;
        for _ in 0..rest / 258 {
            bits.put(0, 2); // length 285 (code 0) + distance 0 (code 0)
        }
        for _ in 0..rest % 258 {
            bits.code(0b10, 2);
        }
    }
    bits.code(0b11, 2); // end of block
    let mut out = vec![0x78, 0x01];
    out.extend(bits.finish());
    let adler = ((n % 65_521) << 16) | 1; // a stays 1 over zero bytes, b counts them
    out.extend_from_slice(&(adler as u32).to_be_bytes());
    out
}
